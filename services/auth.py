"""Passwords (argon2id) and bearer tokens (HS256 JWTs), and the `Viewer` a token stands for.

Hashing and verifying take tens of milliseconds of CPU each: they run in a thread pool with one
thread per core (argon2's C code releases the GIL), so concurrent sign-ins never stall the event
loop and other requests keep being answered meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.clock import Clock
from services.errors import DomainError, ErrorCode

ROLES = ("VOLUNTEER", "COORDINATOR", "COMMITTEE", "ADMIN")
# OWASP's argon2id profile (19 MiB, 2 passes, 1 lane): about 20 ms of CPU, where the library's
# default (64 MiB, 3 passes, 4 lanes) took about 115 ms and a few sign-ins saturated two cores.
# Hashes made with other parameters still verify and are upgraded at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verifying against a dummy hash keeps "unknown email" as slow as "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")


_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


def hash_password_now(password: str) -> str:
    """On the calling thread: for scripts and bulk imports, not for request handlers."""
    return _hasher.hash(password)


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError):  # a lone surrogate is no one's password
        return False


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, _hasher.hash, password)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_pool, _verify, stored_hash, password)


@dataclass(frozen=True)
class Viewer:
    account_id: str
    role: str
    volunteer_id: str | None = None
    organisation_ids: tuple[str, ...] = field(default_factory=tuple)
    region_code: str | None = None


def load_or_create_secret(configured: str | None, data_dir: Path) -> str:
    """Production passes JWT_SECRET; the embedded mode generates one once and keeps it in ./data."""
    if configured:
        return configured
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


class TokenIssuer:
    """Tokens carry the account id; their expiry is checked against the services' clock."""

    ALGORITHM = "HS256"

    def __init__(self, secret: str, ttl_seconds: int, clock: Clock) -> None:
        self.secret = secret
        self.ttl = ttl_seconds
        self.clock = clock

    def issue(self, account_id: str) -> str:
        now = int(self.clock.now().timestamp())
        return jwt.encode({"sub": account_id, "iat": now, "exp": now + self.ttl}, self.secret, self.ALGORITHM)

    def account_id(self, token: str) -> str:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[self.ALGORITHM],
                options={"require": ["sub", "exp"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise DomainError(ErrorCode.INVALID_TOKEN, "the token is not valid") from None
        exp = claims["exp"]
        if not isinstance(exp, int | float):
            raise DomainError(ErrorCode.INVALID_TOKEN, "the token is not valid")
        if exp <= self.clock.now().timestamp():
            raise DomainError(ErrorCode.TOKEN_EXPIRED, "the token has expired; sign in again")
        return str(claims["sub"])
