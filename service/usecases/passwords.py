"""Password hashing with argon2id (argon2-cffi), a memory-hard hash with a per-password salt."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified against when the username is unknown, so a login costs the same either way.
_DUMMY_HASH = _HASHER.hash("auxpolice-timing-equaliser")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; an account without a password (or an unknown one) never matches."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# The password policy for a password an administrator sets (a new account's first one, a reset): long
# enough to resist guessing at the login's slowed-down pace, mixing letters and digits, not the username.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256


def password_problems(password: str, username: str = "") -> list[tuple[str, str]]:
    """What breaks the password policy, each as (Chinese, English); empty when the password is fine."""
    problems: list[tuple[str, str]] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(
            (f"密码至少 {PASSWORD_MIN_LENGTH} 个字符", f"At least {PASSWORD_MIN_LENGTH} characters")
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(
            (f"密码最多 {PASSWORD_MAX_LENGTH} 个字符", f"At most {PASSWORD_MAX_LENGTH} characters")
        )
    if not any(char.isalpha() for char in password) or not any(char.isdigit() for char in password):
        problems.append(("密码须同时包含字母和数字", "Use both letters and digits"))
    if username and username.lower() in password.lower():
        problems.append(("密码不能包含用户名", "The password must not contain the username"))
    if password and len(set(password)) < 4:
        problems.append(("密码过于简单", "The password is too simple"))
    return problems


def generated_password() -> str:
    """A random password that meets the policy, for a reset the administrator hands over once."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if not password_problems(candidate):
            return candidate
