"""The TOTP second factor (RFC 6238, 30-second codes from an authenticator app).

Secrets are stored Fernet-encrypted with a key derived from SECRET_KEY by HKDF (info "oms-totp"):
a copy of the database alone does not give the secrets away. Changing SECRET_KEY makes the stored
secrets unreadable, so every person then enrols again (docs/accounts.md).
"""

from __future__ import annotations

import base64
import hmac
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ISSUER = "OMS"
STEP = 30


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"oms-totp").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI (CSP allows img-src data:; no inline script or style)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def matching_step(secret: str, code: str, *, last_step: int = 0, now: float | None = None) -> int | None:
    """The time step the code belongs to (this one or a neighbour, for clock drift), if newer than last_step."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP)
    for step in (current, current - 1, current + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None
