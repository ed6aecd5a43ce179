"""Signed JSON over HTTP, shared by the SMS and push adapters (docs/messages.md describes the protocol).

A request carries `X-OMS-Timestamp` (Unix seconds) and `X-OMS-Signature: sha256=<hex>`, the
HMAC-SHA256 with the shared secret over the timestamp, a ".", and the exact body bytes.
The provider answers `{"code": "OK", "message_id": "…"}`; anything else is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from oms.notifications.senders.base import Delivered, SendFailed

TIMESTAMP_HEADER = "X-OMS-Timestamp"
SIGNATURE_HEADER = "X-OMS-Signature"
MAX_ANSWER_BYTES = 64 * 1024


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a provider does with a request (the tests' servers use it too)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def post_signed(*, url: str, secret: str, payload: dict[str, Any], timeout: float) -> Delivered:
    """POST the payload (plus `timestamp`) signed; return the provider's message id or raise SendFailed."""
    timestamp = str(int(time.time()))
    body = json.dumps({**payload, "timestamp": int(timestamp)}, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "OMS-messages/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(MAX_ANSWER_BYTES)
        exc.close()
    except TimeoutError:
        raise SendFailed(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise SendFailed(f"no answer within {timeout:g} s") from None
        raise SendFailed(f"cannot reach the provider: {exc.reason}") from None
    except OSError as exc:  # connection reset while reading, etc.
        raise SendFailed(f"{type(exc).__name__}: {exc}") from None
    return _answer(status, raw)


def _answer(status: int, raw: bytes) -> Delivered:
    try:
        answer = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        text = raw[:200].decode("utf-8", errors="replace")
        raise SendFailed(f"HTTP {status}: unreadable answer {text!r}")
    code, message = str(answer.get("code", "")), str(answer.get("message", ""))
    if 200 <= status < 300 and code == "OK":
        return Delivered(provider_message_id=str(answer.get("message_id") or "")[:128])
    reason = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    raise SendFailed(reason[:2000], details={"status": status, "code": code})
