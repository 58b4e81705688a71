"""Verification links: `{PUBLIC_URL}/verify#<token>`. The token travels in the fragment so no
server or proxy log records it.

The token is derived as HMAC(SECRET_KEY, case id + a random per-link nonce): the database keeps
the nonce and the token's SHA-256 (for lookup), never the token, so a database dump yields no
usable link, while the requester can still fetch the QR code of the current link. Rotating the
nonce ("resend") invalidates every earlier token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from kcheck import crypto
from kcheck.models import Case


def derive_token(secret_key: str, case_id: str, nonce: str) -> str:
    mac = hmac.new(secret_key.encode(), f"link:{case_id}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def rotate(case: Case, secret_key: str, now: datetime, ttl_hours: int) -> str:
    """Issue a new link token for the case (invalidating the previous one) and return it."""
    case.link_nonce = secrets.token_hex(16)
    token = derive_token(secret_key, case.id, case.link_nonce)
    case.token_hash = crypto.token_digest(token)
    case.token_expires_at = min(now + timedelta(hours=ttl_hours), case.expires_at)
    case.token_used_at = None
    return token


def current_token(case: Case, secret_key: str) -> str | None:
    if not case.link_nonce:
        return None
    return derive_token(secret_key, case.id, case.link_nonce)


def verification_url(public_url: str, token: str) -> str:
    return f"{public_url}/verify#{token}"
