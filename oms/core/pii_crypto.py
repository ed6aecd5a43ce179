"""Keys for personal data at rest: Fernet encryption and the keyed hash that finds a phone number.

Encryption keys come from settings.OMS_PII_KEYS (newest first; the older ones only decrypt, so a
key can be rotated with `oms pii rotate`). When that list is empty (embedded mode) a key is
generated once into DATA_DIR/pii_key. Losing that file loses every encrypted name, phone and
address: keep a copy apart from the database backups (docs/privacy.md, docs/operations.md).

The search hash is HMAC-SHA256 with settings.OMS_PII_HASH_KEY; when that is empty in embedded
mode it is derived from the key file with HKDF, so the two stay together. A deployment that sets
OMS_PII_KEYS must also set OMS_PII_HASH_KEY: every host must hash alike, and a hash key taken
from a rotating encryption key would change with it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every Fernet token starts with version byte 0x80 and a timestamp: base64 "gAAAAA".
TOKEN_PREFIX = "gAAAAA"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "pii_key"


def _embedded_key() -> bytes:
    return _key_at(str(key_file()))


@lru_cache(maxsize=4)
def _key_at(where: str) -> bytes:
    path = Path(where)
    if not path.exists():
        # Written once, readable by the owner only (like settings._secret_key).
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()


def _keys() -> tuple[bytes, ...]:
    configured = tuple(k.strip().encode() for k in settings.OMS_PII_KEYS if k.strip())
    return configured or (_embedded_key(),)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("OMS_PII_KEYS: each key must be 32 url-safe base64-encoded bytes") from exc


def fernet() -> MultiFernet:
    return _fernet(_keys())


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    """The plain text of a stored value; a value stored before encryption is returned as it is."""
    if not is_token(value):
        return value
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Personal data cannot be decrypted with the configured OMS_PII_KEYS (a key is missing)"
        ) from exc


def rotate_token(value: str) -> str:
    """The value encrypted with the newest key (a plain legacy value is encrypted)."""
    return fernet().rotate(value.encode()).decode() if is_token(value) else encrypt(value)


@lru_cache(maxsize=8)
def _hash_key(configured: str, keys: tuple[bytes, ...]) -> bytes:
    if configured:
        return configured.encode()
    if settings.OMS_PII_KEYS:
        raise ImproperlyConfigured("OMS_PII_KEYS is set: set OMS_PII_HASH_KEY as well (docs/privacy.md)")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"oms personal data search").derive(keys[0])


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 of an already normalised value, hex; "" for an empty value."""
    if not text:
        return ""
    key = _hash_key(settings.OMS_PII_HASH_KEY, _keys())
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
