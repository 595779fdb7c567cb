"""Passwords for local staff accounts: argon2id hashes (argon2-cffi), the sign-in proof, strength.

The stored hash is ``$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>``. At sign-in the PC is
given everything but the last part (the *settings*), computes argon2 of the typed password with
them (``sign_in_proof``), and the database compares the result with the stored last part: the PC
never reads a stored hash, and cannot claim a success it did not compute.

Strength is judged by zxcvbn (Dropbox's estimator; patterns, dictionaries, keyboard walks), with
the NCSC's advice in the refusal: three random words make a password that is long, strong and
easy to remember.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret_raw
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
MIN_LENGTH = 8
MIN_SCORE = 3  # zxcvbn: "safely unguessable", about 10^8 guesses or more
# Checked once however long the typed text is (zxcvbn's time grows with the length).
_STRENGTH_CHARS = 100
ADVICE = (
    "Three random words make a strong password that is easy to remember "
    "(for example: coffee train fish), as the National Cyber Security Centre advises"
)
_TYPES = {"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password cannot be empty")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def split_hash(password_hash: str) -> tuple[str, str]:
    """(settings, hash part) of a stored argon2 hash."""
    settings, _, digest = password_hash.rpartition("$")
    return settings, digest


def sign_in_proof(settings: str, hash_chars: int, password: str) -> str:
    """argon2 of ``password`` with the stored hash's settings, encoded as the hash's last part.

    Equal to the stored last part exactly when the password is right. Raises ValueError on
    settings that are not argon2's.
    """
    parts = settings.split("$")
    if len(parts) < 4 or parts[1] not in _TYPES:
        raise ValueError("not argon2 settings")
    params = dict(p.split("=", 1) for p in parts[-2].split(","))
    version = next((int(p[2:]) for p in parts[2:-2] if p.startswith("v=")), 0x10)
    salt = base64.b64decode(parts[-1] + "=" * (-len(parts[-1]) % 4))
    raw = hash_secret_raw(
        password.encode(),
        salt,
        time_cost=int(params["t"]),
        memory_cost=int(params["m"]),
        parallelism=int(params["p"]),
        hash_len=max(4, hash_chars * 3 // 4),
        type=_TYPES[parts[1]],
        version=version,
    )
    return base64.b64encode(raw).decode().rstrip("=")


def strength_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too weak (None: strong enough), with the NCSC's advice."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters. {ADVICE}"
    words = [w for w in user_inputs if w]
    result = zxcvbn(password[:_STRENGTH_CHARS], user_inputs=[*words, "safedesk", "safe desk"])
    if result["score"] >= MIN_SCORE:
        return None
    warning = str(result["feedback"].get("warning") or "").strip()
    why = warning.rstrip(".") if warning else "Too easy to guess"
    return f"{why}. {ADVICE}"
