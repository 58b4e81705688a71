"""Storage and SMS adapters against real backends: a local folder, moto's S3 server over HTTP,
the development outbox, and the real twilio client with a recording HTTP client."""

from __future__ import annotations

import json
import uuid

import pytest
from twilio.http import HttpClient

from kcheck.adapters.sms import OutboxSms, SmsError, TwilioSms
from kcheck.adapters.storage import BlobNotFound, LocalBlobStore, S3BlobStore, StorageError
from kcheck.settings import Settings


def s3_store(s3_srv, bucket: str | None = None) -> S3BlobStore:
    settings = Settings(storage_backend="s3", s3_bucket=bucket or f"b-{uuid.uuid4().hex[:12]}",
                        s3_endpoint_url=s3_srv.endpoint, s3_access_key_id="test",
                        s3_secret_access_key="test")
    store = S3BlobStore.from_settings(settings)
    store.ensure_bucket()
    return store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return s3_store(request.getfixturevalue("s3_srv"))


def test_put_get_list_delete(store):
    store.put("cases/a/photo-1", b"one")
    store.put("cases/b/photo-2", b"two")
    assert store.get("cases/a/photo-1") == b"one"
    assert sorted(store.list_keys("cases/")) == ["cases/a/photo-1", "cases/b/photo-2"]
    assert store.delete_many(["cases/a/photo-1", "cases/a/missing"]) == []
    with pytest.raises(BlobNotFound):
        store.get("cases/a/photo-1")
    store.ping()


def test_keys_from_outside_are_refused(store):
    for key in ("../etc/passwd", "/abs", "cases/../../x", "UPPER", ""):
        with pytest.raises(ValueError):
            store.put(key, b"x")


def test_s3_deletes_in_batches_of_1000(s3_srv):
    store = s3_store(s3_srv)
    keys = [f"cases/x/blob-{i:04d}" for i in range(1203)]
    for key in keys:
        store.put(key, b"")
    assert store.delete_many(keys) == []
    assert list(store.list_keys()) == []


def test_s3_lifecycle_backstop_is_set(s3_srv):
    store = s3_store(s3_srv)
    rules = store.client.get_bucket_lifecycle_configuration(Bucket=store.bucket)["Rules"]
    assert rules[0]["Expiration"]["Days"] == 4
    assert rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1


def test_s3_unreachable_becomes_storage_error():
    settings = Settings(storage_backend="s3", s3_bucket="x", s3_endpoint_url="http://127.0.0.1:9",
                        s3_access_key_id="t", s3_secret_access_key="t")
    store = S3BlobStore.from_settings(settings)
    with pytest.raises(StorageError):
        store.ping()


def test_outbox_appends_and_reads_back(tmp_path):
    outbox = OutboxSms(tmp_path / "var" / "outbox.jsonl")
    outbox.send("+41791234567", "code 123456")
    outbox.send("+41791234568", "code 654321")
    assert [m["body"] for m in outbox.messages()] == ["code 123456", "code 654321"]


class RecordingHttpClient(HttpClient):
    """Stands in for the network under the real twilio client, recording each request."""

    def __init__(self, status: int = 201):
        super().__init__(logger=None, is_async=False)
        self.requests: list[dict] = []
        self.status = status

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        from twilio.http.response import Response

        self.requests.append({"method": method, "url": url, "data": data, "auth": auth})
        if self.status >= 400:
            return Response(self.status, json.dumps({"code": 21211, "message":
                                                     "The 'To' number +41791234567 is not valid",
                                                     "status": self.status}))
        return Response(self.status, json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}))


def twilio(http, sender="+41790000000") -> TwilioSms:
    settings = Settings(sms_backend="twilio", twilio_account_sid="AC" + "1" * 32,
                        twilio_auth_token="secret", twilio_from=sender)
    return TwilioSms.from_settings(settings, http_client=http)


def test_twilio_sends_through_the_messages_api():
    http = RecordingHttpClient()
    twilio(http).send("+41791234567", "Your code: 123456")
    [request] = http.requests
    assert request["method"] == "POST"
    assert request["url"].endswith("/Accounts/AC" + "1" * 32 + "/Messages.json")
    assert request["data"]["To"] == "+41791234567" and request["data"]["From"] == "+41790000000"


def test_twilio_messaging_service_sender():
    http = RecordingHttpClient()
    twilio(http, sender="MG" + "2" * 32).send("+41791234567", "x")
    assert http.requests[0]["data"]["MessagingServiceSid"] == "MG" + "2" * 32


def test_twilio_errors_are_translated_without_the_number():
    with pytest.raises(SmsError) as info:
        twilio(RecordingHttpClient(status=400)).send("+41791234567", "x")
    assert "+4179" not in str(info.value)


def test_outbox_forgets_messages_older_than_72_hours(tmp_path):
    import json as json_module
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "outbox.jsonl"
    old = (datetime.now(UTC) - timedelta(hours=73)).isoformat()
    path.write_text(json_module.dumps({"at": old, "to": "+41790000000", "body": "old"}) + "\n")
    OutboxSms(path).send("+41791234567", "new")
    assert [m["body"] for m in OutboxSms(path).messages()] == ["new"]
