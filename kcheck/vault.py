"""Per-case encryption of personal data: columns and blobs sealed under the case's data key."""

from __future__ import annotations

import json
import uuid
from typing import Any

from kcheck import crypto
from kcheck.adapters.storage import BlobStore
from kcheck.models import Case


class DataGone(Exception):
    """The case's personal data was purged: its key no longer exists."""


class Vault:
    def __init__(self, master_key: bytes, storage: BlobStore):
        self.master_key = master_key
        self.storage = storage

    def data_key(self, case: Case, create: bool = False) -> bytes:
        if case.wrapped_data_key is None:
            if not create or case.data_purged_at is not None:
                raise DataGone(case.id)
            key = crypto.new_data_key()
            case.wrapped_data_key = crypto.wrap_data_key(self.master_key, key, case.id)
            return key
        return crypto.unwrap_data_key(self.master_key, case.wrapped_data_key, case.id)

    def seal_value(self, case: Case, name: str, value: Any) -> bytearray:
        plaintext = json.dumps(value).encode()
        return crypto.seal(self.data_key(case, create=True), plaintext, f"{case.id}:{name}")

    def open_value(self, case: Case, name: str, sealed: bytes | None) -> Any:
        if sealed is None:
            return None
        plaintext = crypto.open_sealed(self.data_key(case), sealed, f"{case.id}:{name}")
        return json.loads(plaintext)

    def put_blob(self, case: Case, kind: str, data: bytes) -> str:
        """Encrypt and store; the key is made here, never from client input."""
        key = f"cases/{case.id}/{kind}-{uuid.uuid4().hex}"
        sealed = crypto.seal(self.data_key(case, create=True), data, f"{case.id}:{key}")
        self.storage.put(key, sealed)
        return key

    def get_blob(self, case: Case, key: str) -> bytes:
        return crypto.open_sealed(self.data_key(case), self.storage.get(key), f"{case.id}:{key}")


def blob_prefix(case_id: str) -> str:
    return f"cases/{case_id}/"


UPLOAD = "upload-"  # the kind prefix of a person's upload, until the worker stores its copy


def upload_kind(slot: str) -> str:
    return f"{UPLOAD}{slot}"


def is_upload(key: str) -> bool:
    """Whether a photo's blob is still the person's upload (not yet swapped for the copy)."""
    return key.rsplit("/", 1)[-1].startswith(UPLOAD)
