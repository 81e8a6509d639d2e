"""Encryption at rest for the secrets tcm keeps (Plex tokens, Tautulli API keys, webhook secrets).

Fernet (AES-128-CBC + HMAC) from `cryptography`, with the keys in settings.TCM_ENCRYPTION_KEYS:
the first key encrypts, every key decrypts, so a key can be rotated without downtime
(README: "Rotating the encryption key").
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.TCM_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        # Not encrypted (a value written before encryption existed): readable as is, and the
        # next save encrypts it.
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "cannot decrypt a stored secret: TCM_ENCRYPTION_KEYS (or data/encryption_key) "
            "does not hold the key it was encrypted with"
        ) from exc


def digest(value: str) -> str:
    """A hash of `value`, for looking a secret up without storing or comparing it in the clear.

    Plain SHA-256 is enough: the secrets hashed here are 256 random bits, which no table or
    guessing can invert, and it keeps working when SECRET_KEY changes.
    """
    return hashlib.sha256(value.encode()).hexdigest()
