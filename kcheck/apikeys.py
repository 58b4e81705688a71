"""API keys for requesting systems: shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kcheck import crypto
from kcheck.models import ApiClient

SCOPES = ("cases:read", "cases:write")
PREFIX = "kck_"


@dataclass(frozen=True)
class IssuedKey:
    client: ApiClient
    key: str


def new_webhook_secret() -> str:
    """A signing secret in the Standard Webhooks format: whsec_ + base64 of 24 random bytes
    (standard base64, as every Standard Webhooks library decodes it)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def parse_scopes(raw: str) -> list[str]:
    scopes = sorted({s.strip() for s in raw.split(",") if s.strip()})
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"scopes must be a comma-separated subset of {', '.join(SCOPES)}")
    return scopes


def create(session: Session, name: str, scopes: list[str], now: datetime,
           master_key: bytes) -> IssuedKey:
    prefix = secrets.token_hex(6)
    key = f"{PREFIX}{prefix}_{crypto.random_token(32)}"
    webhook_secret = new_webhook_secret()
    client = ApiClient(name=name, key_prefix=prefix, key_hash=crypto.token_digest(key),
                       scopes=",".join(scopes), created_at=now)
    session.add(client)
    session.flush()
    client.webhook_secret = crypto.seal(master_key, webhook_secret.encode(), f"whsec:{client.id}")
    return IssuedKey(client, key)


def authenticate(session: Session, presented: str) -> ApiClient | None:
    """Find the active client for a presented key; constant-time on the secret part."""
    if not presented.startswith(PREFIX) or presented.count("_") < 2:
        return None
    prefix = presented[len(PREFIX):].split("_", 1)[0]
    client = session.scalar(select(ApiClient).where(ApiClient.key_prefix == prefix))
    if client is None or client.revoked_at is not None:
        # Still hash so a wrong prefix costs the same as a wrong secret.
        crypto.same(crypto.token_digest(presented), "0" * 64)
        return None
    if not crypto.same(crypto.token_digest(presented), client.key_hash):
        return None
    return client


def webhook_secrets(client: ApiClient, master_key: bytes, now: datetime) -> list[str]:
    """The current signing secret, plus the previous one while a rotation overlaps."""
    out = []
    if client.webhook_secret:
        out.append(crypto.open_sealed(master_key, client.webhook_secret,
                                      f"whsec:{client.id}").decode())
    if client.webhook_secret_previous and client.webhook_previous_until and \
            client.webhook_previous_until > now:
        out.append(crypto.open_sealed(master_key, client.webhook_secret_previous,
                                      f"whsec:{client.id}").decode())
    return out
