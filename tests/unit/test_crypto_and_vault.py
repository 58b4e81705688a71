"""Envelope encryption: per-case data keys wrapped by the master key; shredding the key kills the data."""

from __future__ import annotations

import pytest

from kcheck import crypto
from kcheck.adapters.storage import LocalBlobStore
from kcheck.models import Case
from kcheck.vault import DataGone, Vault

MASTER = b"m" * 32


def test_sealed_data_is_bound_to_its_context():
    key = crypto.new_data_key()
    sealed = crypto.seal(key, b"+41791234567", "case-1:phone")
    assert b"+4179" not in sealed
    assert crypto.open_sealed(key, sealed, "case-1:phone") == b"+41791234567"
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, sealed, "case-2:phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, sealed[:-1] + bytes([sealed[-1] ^ 1]), "case-1:phone")


def test_vault_blobs_unreadable_once_the_data_key_is_gone(tmp_path):
    store = LocalBlobStore(tmp_path)
    vault = Vault(MASTER, store)
    case = Case(id="c1")
    key = vault.put_blob(case, "photo-id_front", b"\xff\xd8 jpeg bytes")
    assert key.startswith("cases/c1/photo-id_front-")
    assert vault.get_blob(case, key) == b"\xff\xd8 jpeg bytes"
    copy = store.get(key)  # e.g. a backup of the bucket
    case.wrapped_data_key = None
    with pytest.raises(DataGone):
        vault.get_blob(case, key)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(crypto.new_data_key(), copy, f"c1:{key}")


def test_wrong_master_key_cannot_unwrap(tmp_path):
    vault = Vault(MASTER, LocalBlobStore(tmp_path))
    case = Case(id="c1")
    sealed = vault.seal_value(case, "phone", "+41791234567")
    other = Vault(b"x" * 32, LocalBlobStore(tmp_path))
    with pytest.raises(crypto.DecryptionError):
        other.open_value(case, "phone", sealed)
    assert vault.open_value(case, "phone", sealed) == "+41791234567"


def test_keyed_digest_differs_from_plain_hash():
    assert crypto.keyed_digest("k1", "123456", "otp") != crypto.keyed_digest("k2", "123456", "otp")
    assert crypto.same("abc", "abc") and not crypto.same("abc", "abd")
