"""Secrets stay out of logs: a member's report link under real gunicorn, logs read afterwards."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.reports.members import service as member_links
from portal.staff.audit import Actor

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def report_token(app, db_session, make_org) -> str:
    member = make_org("olive-press", name="Olive Press")
    now = datetime.now(UTC)
    link = member_links.issue_link(
        db_session,
        app.secret_key,
        Actor.of(None),
        member,
        expires=now.date() + timedelta(days=30),
        now=now,
    )
    db_session.commit()
    return link.token


@pytest.fixture
def gunicorn(app_config, tmp_path):
    """The portal under gunicorn (2 workers, access and error logs to files): its port and logs."""
    logs = {"access": tmp_path / "access.log", "error": tmp_path / "error.log"}
    env = {
        **os.environ,
        "SECRET_KEY": app_config["SECRET_KEY"],
        "DATABASE_URL": app_config["DATABASE_URL"],
        "REFERRAL_SPOOL": app_config["REFERRAL_SPOOL"],
        "SESSION_COOKIE_SECURE": "false",
        "PORTAL_BIND": "127.0.0.1:0",
        "PORTAL_WORKERS": "2",
        "PORTAL_ACCESS_LOG": str(logs["access"]),
        "PORTAL_ERROR_LOG": str(logs["error"]),
        "PORTAL_LOG_LEVEL": "debug",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        yield _port(logs["error"], server), logs
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _port(error_log: Path, server: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        text = error_log.read_text() if error_log.exists() else ""
        if "Booting worker" in text and (found := re.search(r"Listening at: \S+:(\d+)", text)):
            return int(found[1])
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def get(
    port: int, path: str, cookie: str | None = None, headers: dict | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    connection.request(
        "GET", path, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_report_link_leaves_the_address_and_no_log_keeps_its_token(gunicorn, report_token):
    port, logs = gunicorn

    opened = get(port, f"/reports/member/{report_token}?by=month")
    cookie = opened.headers["Set-Cookie"].split(";")[0]
    report = get(port, opened.headers["Location"], cookie)
    mangled = get(port, f"/reports/member/{report_token[:-4]}abcd")
    _send_raw(port, f"GET /reports/member/{report_token} HTTP/1.1 and more\r\n\r\n".encode())
    for log, words in [
        ("access", '"path": "/reports/member/"'),
        ("access", '"status": "404"'),
        ("error", "Invalid request from"),
        ("error", "/reports/member/[redacted]"),
    ]:
        _logged(logs[log], words)

    assert opened.status == 303
    assert opened.headers["Location"] == "/reports/member/?by=month"
    assert report.status == 200
    assert mangled.status == 404
    access, error = logs["access"].read_text(), logs["error"].read_text()
    assert report_token not in access and report_token[:40] not in access
    assert report_token not in error and report_token[:40] not in error
    requests = [(line["path"], line["status"]) for line in _json_lines(access)]
    assert requests.count(("/reports/member/[redacted]", "303")) == 1
    assert ("/reports/member/", "200") in requests
    messages = [line["message"] for line in _json_lines(error)]
    assert any("Invalid request from ip=[redacted]" in message for message in messages)
    assert any("/reports/member/[redacted]" in message for message in messages)


def test_every_line_is_json_naming_its_request_and_no_address(gunicorn):
    port, logs = gunicorn

    page = get(port, "/nowhere", headers={"X-Request-Id": "nginx-req-0123456789"})
    fresh = get(port, "/organizations")
    for path in ("/nowhere", "/organizations"):
        _logged(logs["access"], f'"path": "{path}"')

    assert page.headers["X-Request-Id"] == "nginx-req-0123456789"
    assert re.fullmatch(r"[0-9a-f]{16}", fresh.headers["X-Request-Id"])
    access = _json_lines(logs["access"].read_text())
    error = _json_lines(logs["error"].read_text())
    ids = {line["path"]: line["request_id"] for line in access}
    assert ids["/nowhere"] == "nginx-req-0123456789"
    assert ids["/organizations"] == fresh.headers["X-Request-Id"]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in access + error)
    # The server's own address appears where gunicorn says where it listens; a client's never.
    told = [line["message"] for line in access + error if "127.0.0.1" in json.dumps(line)]
    own = ("Listening at: ", "Current configuration:")
    assert all(message.startswith(own) for message in told), told


def _logged(log: Path, words: str, seconds: float = 30) -> None:
    """Wait until ``log`` holds ``words``: gunicorn writes a request's lines after answering."""
    deadline = time.monotonic() + seconds
    while words not in log.read_text():
        assert time.monotonic() < deadline, f"{words!r} never reached {log.name}"
        time.sleep(0.02)


def _json_lines(text: str) -> list[dict]:
    """Every line of a log, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _send_raw(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        connection.recv(1024)
