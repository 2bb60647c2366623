"""The message a donor's mail program receives says exactly what the outbox row says, in any
script: names and subjects in Arabic or Hebrew, long lines, an HTML alternative."""

from __future__ import annotations

from email import message_from_bytes, policy

from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.mail.transport import build_message
from portal.models import OutboxMail

# Letters and spaces of the portal's three languages, punctuation included; no line breaks in
# headers (the outbox never puts one there).
WORDS = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ 09.,!?-'\"()<>@;:") + list("שלוםתודה") + list("شكرالكمهدية") + ["€", "—"]
    ),
    min_size=1,
    max_size=120,
).filter(lambda s: s.strip())
BODY = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
    | st.just("\n"),
    max_size=600,
)


def _row(subject: str, text: str, html: str | None, language: str) -> OutboxMail:
    return OutboxMail(
        key="thanks:42",
        recipient="donor@example.org",
        reply_to="Office <office@coalition.example>",
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
    )


@settings(max_examples=60, deadline=None)
@given(
    subject=WORDS,
    name=WORDS.map(lambda s: s.replace("<", "").replace(">", "").replace('"', "").strip() or "x"),
    text=BODY,
    html=st.none() | BODY.map(lambda s: f"<p>{s}</p>"),
    language=st.sampled_from(["en", "ar", "he"]),
)
# Spaces at both ends: a mail program read " 0 " back as "0 " (found by this test in CI's run).
@example(subject=" 0 ", name="0", text="", html=None, language="en")
def test_a_mail_program_reads_back_what_the_outbox_holds(subject, name, text, html, language):
    sender = f'"{name}" <giving@coalition.example>'

    wire = bytes(build_message(_row(subject, text, html, language), sender))
    received = message_from_bytes(wire, policy=policy.default)

    assert wire.isascii()  # 7-bit safe on any server: names, subjects and bodies are encoded
    assert received["Subject"] == subject.strip() or received["Subject"] == subject
    assert received["From"].addresses[0].display_name == name
    assert received["From"].addresses[0].addr_spec == "giving@coalition.example"
    assert received["To"].addresses[0].addr_spec == "donor@example.org"
    assert received["Reply-To"].addresses[0].display_name == "Office"
    assert received["Content-Language"] == language
    assert received["Message-ID"].endswith("@coalition.example>")
    plain = received.get_body(("plain",))
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == text.rstrip("\n")
    if html is None:
        assert not received.is_multipart()
    else:
        assert received.get_content_type() == "multipart/alternative"
        assert received.get_body(("html",)).get_content().rstrip("\n") == html.rstrip("\n")


def test_the_same_outbox_row_always_has_the_same_message_id():
    row = _row("Thank you", "Thanks", None, "en")
    first = build_message(row, "giving@coalition.example")["Message-ID"]
    again = build_message(row, "giving@coalition.example")["Message-ID"]

    assert first == again
