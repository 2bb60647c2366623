"""Staff passwords: argon2id at or above OWASP's parameters, whole passwords, never truncated,
and none that a guesser would try early (zxcvbn's offline lists and patterns)."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# Long enough for any passphrase or manager-generated secret; the cap only bounds hashing work.
MAX_LENGTH = 1024

# zxcvbn's top score, 10^10 guesses or more: common and breached passwords, words, names, dates,
# keyboard walks, repeats, l33t forms and the account's own email all score lower. A console that
# holds donor data asks for more than score 3 ("Jerusalem2024!", a name with a year, passes that).
ENOUGH_SCORE = 4
# zxcvbn's own limit; the characters after it only add strength.
_SCORED_LENGTH = 72
# Words a guesser aiming at this portal's staff would try first.
_SITE_WORDS = ("coalition", "portal", "allmep", "peace", "donate", "staff", "admin")

# OWASP's argon2id baseline: 19 MiB of memory, 2 passes, 1 lane. argon2 hashes every byte given.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why ``password`` cannot be used by the account of ``email``, or None when it can."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_LENGTH)
    if (
        zxcvbn(password[:_SCORED_LENGTH], user_inputs=_personal_words(email))["score"]
        < ENOUGH_SCORE
    ):
        return _(
            "This password is too easy to guess: it is a common password or close to one, or "
            "a word, name, date or keyboard pattern. Use a few unrelated words together."
        )
    return None


def _personal_words(email: str) -> list[str]:
    return [*_SITE_WORDS, email, *re.split(r"[^\w]+", email.lower())]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``.

    With no stored hash (unknown account) a dummy hash is checked anyway, so the answer takes
    as long either way and timing does not reveal which accounts exist.
    """
    if len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return HASHER.check_needs_rehash(stored)


def generate_password() -> str:
    """A random password of 24 URL-safe characters, to be shown once."""
    return secrets.token_urlsafe(18)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_hex(16))
