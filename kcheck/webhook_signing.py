"""Webhook signing per Standard Webhooks and the signing secrets' rotation: shared by the
delivery worker, the review UI's admin pages and the CLI."""

from __future__ import annotations

import binascii
import logging
from datetime import datetime, timedelta

from standardwebhooks.webhooks import Webhook

from kcheck import apikeys, crypto
from kcheck.models import ApiClient

log = logging.getLogger(__name__)
ROTATION_OVERLAP = timedelta(hours=24)


def signature_header(secret_list: list[str], msg_id: str, at: datetime, body: str) -> str:
    """`v1,<sig>` per secret, space-separated: both are valid while a rotation overlaps."""
    signatures = []
    for secret in secret_list:
        try:
            signatures.append(Webhook(secret).sign(msg_id, at, body))
        except (binascii.Error, ValueError):
            log.error("a webhook secret cannot be used for signing; rotate it")
    return " ".join(signatures)


def rotate_secret(session, client: ApiClient, now: datetime, master_key: bytes) -> str:
    """A new signing secret; the current one stays valid (both signatures sent) for 24 hours.
    Returns the new secret, to be shown once."""
    secret = apikeys.new_webhook_secret()
    if client.webhook_secret:
        client.webhook_secret_previous = client.webhook_secret
        client.webhook_previous_until = now + ROTATION_OVERLAP
    client.webhook_secret = crypto.seal(master_key, secret.encode(), f"whsec:{client.id}")
    return secret
