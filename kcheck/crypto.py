"""Envelope encryption: AES-GCM under a per-case data key, the data key wrapped by the master key.

Destroying a case's wrapped data key makes every copy of its blobs and encrypted columns
unreadable, backups included (crypto-shredding).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """Ciphertext was tampered with, or belongs to another key or context."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, context: str) -> bytearray:
    """Encrypt and authenticate; ``context`` binds the ciphertext to where it belongs.

    Written in place after its header (a photo is megabytes: joining the header to the
    ciphertext would cost a second buffer and copy, about twice the encryption itself)."""
    nonce = os.urandom(NONCE_BYTES)
    header = len(VERSION) + NONCE_BYTES
    sealed = bytearray(header + len(plaintext) + TAG_BYTES)
    sealed[:header] = VERSION + nonce
    AESGCM(key).encrypt_into(nonce, plaintext, context.encode(), memoryview(sealed)[header:])
    return sealed


def open_sealed(key: bytes, sealed: bytes, context: str) -> bytes:
    if not sealed or sealed[:1] != VERSION:
        raise DecryptionError("unknown ciphertext format")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, context.encode())
    except InvalidTag as exc:
        raise DecryptionError("authentication failed") from exc


def wrap_data_key(master_key: bytes, data_key: bytes, case_id: str) -> bytearray:
    return seal(master_key, data_key, f"data-key:{case_id}")


def unwrap_data_key(master_key: bytes, wrapped: bytes, case_id: str) -> bytes:
    return open_sealed(master_key, wrapped, f"data-key:{case_id}")


def random_token(nbytes: int = 32) -> str:
    """A URL-safe secret with ``8 * nbytes`` bits of entropy."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Hash for high-entropy secrets (link tokens, session tokens, API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(secret_key: str, value: str, purpose: str) -> str:
    """HMAC for low-entropy values (SMS codes, phone numbers): a database dump alone can't be
    brute-forced offline."""
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
