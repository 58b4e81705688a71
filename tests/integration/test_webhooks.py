"""Webhooks to a real HTTP receiver on loopback: signatures, retries, 410, no double sending."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kcheck import apikeys, webhook_signing
from kcheck.clock import FrozenClock
from kcheck.models import ApiClient, Case, WebhookDelivery, WebhookEvent
from kcheck.usecases import webhooks as redelivery
from kcheck.workers import webhooks
from kcheck.workers.process import PERIODIC
from kcheck.workers.runtime import serving
from tests.concurrency import run_together

pytestmark = pytest.mark.redis


class Receiver:
    """An HTTP endpoint answering scripted statuses; it dedupes on webhook-id like a careful
    requester would."""

    def __init__(self, statuses=(), default: int = 200, delay_s: float = 0,
                 hold: threading.Event | None = None):
        self.statuses = list(statuses)
        self.default = default
        self.delay_s = delay_s
        self.hold = hold  # each answer waits until it is set (at most 60 s)
        self.arrived = threading.Event()  # set when a request's body is in
        self.requests: list[tuple[str, dict[str, str], bytes, int]] = []
        self.accepted: dict[str, bytes] = {}  # webhook-id -> body, once
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.set()
                time.sleep(receiver.delay_s)
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.requests.append((self.path, headers, body, status))
                    if 200 <= status < 300:
                        receiver.accepted.setdefault(headers["webhook-id"], body)
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def build(*statuses, **kwargs) -> Receiver:
        made.append(Receiver(statuses, **kwargs))
        return made[-1]

    yield build
    for r in made:
        r.close()


@pytest.fixture
def clock():
    # Signatures carry the sending time and receivers accept 5 minutes of skew: start 5 minutes
    # in the past so that the third attempt (5 s, then 5 min later) is sent at about real now.
    return FrozenClock(datetime.now(UTC) - timedelta(seconds=305))


@pytest.fixture
def secret(svc, api_key):
    """The signing secret the API client got at creation (`kcheck webhooks secret`)."""
    with svc.sessions() as session:
        client = session.scalars(select(ApiClient)).one()
        [secret] = apikeys.webhook_secrets(client, svc.settings.master_key, svc.now())
    return secret


def tick(app, run_jobs) -> int:
    """One run of the dispatcher, then the worker sends what it queued."""
    with serving(app.extensions["kcheck"]):
        queued = webhooks.dispatch_due_webhooks()
    run_jobs()
    return queued


def event_of(svc, case_id: str, event_type: str) -> WebhookEvent:
    with svc.sessions() as session:
        return session.scalar(select(WebhookEvent).where(WebhookEvent.case_id == case_id,
                                                         WebhookEvent.event_type == event_type))


def attempts(svc, event_id: str) -> list[tuple[int, int | None, str | None]]:
    with svc.sessions() as session:
        return [(d.attempt, d.status_code, d.error) for d in session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
            .order_by(WebhookDelivery.attempt))]


def test_dispatcher_is_a_periodic_job_every_15_seconds():
    entry = next(p for p in PERIODIC if p.func.endswith("dispatch_due_webhooks"))
    assert entry.interval_s == 15


def test_500_500_200_is_delivered_once_and_verifies(app, svc, partner, secret, receiver, clock,
                                                    run_jobs):
    hook = receiver(500, 500, 200)
    case = partner.open_case(callback_url=hook.url, expected_name="Erika Mustermann").get_json()
    event = event_of(svc, case["id"], "case.opened")

    assert tick(app, run_jobs) == 1
    first = event_of(svc, case["id"], "case.opened")
    assert first.status == "pending" and first.attempts == 1
    assert 4.5 <= (first.next_attempt_at - clock.now()).total_seconds() <= 5.5
    assert tick(app, run_jobs) == 0 and len(hook.requests) == 1  # not due yet

    clock.set(first.next_attempt_at)
    tick(app, run_jobs)
    second = event_of(svc, case["id"], "case.opened")
    assert 270 <= (second.next_attempt_at - clock.now()).total_seconds() <= 330
    clock.set(second.next_attempt_at)
    tick(app, run_jobs)
    clock.advance(hours=30)
    tick(app, run_jobs)

    delivered = event_of(svc, case["id"], "case.opened")
    assert delivered.status == "delivered" and delivered.delivered_at is not None
    assert attempts(svc, event.id) == [(1, 500, None), (2, 500, None), (3, 200, None)]
    assert [r[3] for r in hook.requests] == [500, 500, 200]
    assert {r[1]["webhook-id"] for r in hook.requests} == {event.id}
    assert list(hook.accepted) == [event.id]

    _path, headers, body, _status = hook.requests[-1]
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "case.opened" and payload["data"]["case_id"] == case["id"]
    assert b"Mustermann" not in body
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"case.opened", b"case.approved"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(apikeys.new_webhook_secret()).verify(body, headers)


def test_410_disables_the_endpoint(app, svc, partner, secret, receiver, run_jobs):
    hook = receiver(410)
    case = partner.open_case(callback_url=hook.url).get_json()
    tick(app, run_jobs)
    assert event_of(svc, case["id"], "case.opened").status == "disabled"
    with svc.sessions() as session:
        assert session.scalars(select(ApiClient)).one().webhook_disabled_at is not None
    assert partner.post(f"/v1/cases/{case['id']}/cancel").status_code == 200
    tick(app, run_jobs)
    assert len(hook.requests) == 1  # nothing more is sent to a disabled endpoint
    cancelled = event_of(svc, case["id"], "case.cancelled")
    assert cancelled.status == "disabled" and attempts(svc, cancelled.id) == []
    with svc.transaction() as session, pytest.raises(redelivery.RedeliveryRefused):
        redelivery.request_redelivery(session, cancelled.id, svc.now())


def test_failures_are_retried_with_backoff_for_more_than_a_day_then_given_up(
        app, svc, partner, secret, receiver, clock, run_jobs):
    hook = receiver(default=503)
    case = partner.open_case(callback_url=hook.url).get_json()
    started = clock.now()
    moments = []
    for _ in range(20):
        event = event_of(svc, case["id"], "case.opened")
        if event.status != "pending":
            break
        clock.set(event.next_attempt_at)
        moments.append(clock.now())
        tick(app, run_jobs)
    event = event_of(svc, case["id"], "case.opened")
    assert event.status == "failed" and event.attempts == webhooks.MAX_ATTEMPTS == 8
    assert len(hook.requests) == 8
    gaps = [(b - a).total_seconds() for a, b in zip(moments, moments[1:], strict=False)]
    for gap, planned in zip(gaps, webhooks.RETRY_DELAYS_S, strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1
    assert moments[-1] - started >= timedelta(hours=24)
    assert tick(app, run_jobs) == 0


def test_redirects_are_not_followed(app, svc, partner, secret, receiver, run_jobs):
    hook = receiver(302)
    case = partner.open_case(callback_url=hook.url).get_json()
    tick(app, run_jobs)
    assert [r[0] for r in hook.requests] == ["/hook"]
    event = event_of(svc, case["id"], "case.opened")
    assert event.status == "pending" and attempts(svc, event.id) == [(1, 302, None)]


def test_a_callback_that_is_not_http_is_never_fetched(app, svc, partner, secret, run_jobs):
    case = partner.open_case(callback_url="https://example.invalid/hook").get_json()
    with svc.transaction() as session:
        session.get(Case, case["id"]).callback_url = "file:///etc/passwd"
    tick(app, run_jobs)
    event = event_of(svc, case["id"], "case.opened")
    assert event.status == "failed"
    assert attempts(svc, event.id) == [(1, None, "callback_url_refused")]


def test_two_workers_never_send_the_same_attempt(app, svc, partner, secret, receiver):
    hook = receiver(delay_s=0.3)
    case = partner.open_case(callback_url=hook.url).get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    outcomes = run_together(lambda: webhooks.deliver_event(svc, event_id), timeout=30)
    assert sorted(outcomes) == ["delivered", "skipped"]
    assert len(hook.requests) == 1


def test_a_sender_that_died_mid_attempt_is_replaced_after_its_lease(app, svc, partner, secret,
                                                                    receiver, clock, run_jobs):
    hook = receiver()
    case = partner.open_case(callback_url=hook.url).get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    assert webhooks._claim(svc, event_id, clock.now()) == 1  # ...and then the worker died
    assert tick(app, run_jobs) == 0
    clock.advance(seconds=webhooks.LEASE.total_seconds())
    tick(app, run_jobs)
    assert event_of(svc, case["id"], "case.opened").status == "delivered"
    assert len(hook.requests) == 1


def test_a_worker_killed_mid_send_leaves_the_attempt_recorded_and_it_is_sent_again(
        app, svc, settings, partner, secret, receiver, clock, run_jobs):
    """kill -9 a real `kcheck worker webhooks` process while the receiver holds its request:
    the attempt was recorded before the send, and once its lease runs out the event is sent
    again with the same signed webhook-id (at least once: the receiver dedupes on it)."""
    import os
    import signal

    from tests.live import worker_process

    clock.set(datetime.now(UTC))  # the worker process runs on the real clock
    answer = threading.Event()
    hook = receiver(hold=answer)
    case = partner.open_case(callback_url=hook.url).get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    with serving(svc):
        assert webhooks.dispatch_due_webhooks() == 1
    worker = worker_process(settings, "webhooks")
    try:
        assert hook.arrived.wait(60), "the worker process never sent the webhook"
        os.kill(worker.pid, signal.SIGKILL)  # mid-send: the receiver has not answered yet
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    answer.set()  # the receiver got it and answers 200, to a sender that is gone
    assert event_of(svc, case["id"], "case.opened").status == "sending"
    assert attempts(svc, event_id) == [(1, None, webhooks.IN_FLIGHT)]

    assert tick(app, run_jobs) == 0  # its lease still runs: nobody else sends it yet
    clock.set(datetime.now(UTC) + webhooks.LEASE)  # the dead sender's lease has run out
    assert tick(app, run_jobs) == 1  # what the scheduler's dispatcher does every 15 s
    event = event_of(svc, case["id"], "case.opened")
    assert event.status == "delivered" and event.attempts == 2
    assert attempts(svc, event_id) == [(1, None, webhooks.SENDER_LOST), (2, 200, None)]
    deadline = time.monotonic() + 10
    while len(hook.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r[1]["webhook-id"] for r in hook.requests] == [event_id, event_id]
    for _path, headers, body, _status in hook.requests:
        assert Webhook(secret).verify(body, headers)["data"]["case_id"] == case["id"]
    assert list(hook.accepted) == [event_id]  # one event for the receiver that dedupes


def test_an_attempt_claimed_by_a_release_that_did_not_record_claims_is_recorded(
        svc, partner, secret, receiver, clock):
    from sqlalchemy import delete

    hook = receiver()
    case = partner.open_case(callback_url=hook.url).get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    attempt = webhooks._claim(svc, event_id, clock.now())
    with svc.transaction() as session:  # claimed as before the upgrade: no record of it
        session.execute(delete(WebhookDelivery))
    assert webhooks._attempt(svc, event_id, attempt, clock.now()) == "delivered"
    assert attempts(svc, event_id) == [(1, 200, None)]


def test_rotation_sends_two_signatures_both_verifiable(app, svc, partner, secret, receiver,
                                                       clock, run_jobs):
    hook = receiver()
    clock.advance(seconds=305)  # sent at about real now: within the receiver's tolerance
    with svc.transaction() as session:
        client = session.scalars(select(ApiClient)).one()
        new = webhook_signing.rotate_secret(session, client, svc.now(), svc.settings.master_key)
    partner.open_case(callback_url=hook.url)
    tick(app, run_jobs)
    _path, headers, body, _status = hook.requests[-1]
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(secret).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_events_are_delivered_after_the_data_is_purged(app, svc, partner, secret, receiver,
                                                       clock, run_jobs):
    from kcheck import retention

    hook = receiver()
    clock.advance(seconds=305)  # sent at about real now: within the receiver's tolerance
    case = partner.open_case(callback_url=hook.url, expected_name="Erika Mustermann").get_json()
    assert partner.post(f"/v1/cases/{case['id']}/cancel").status_code == 200
    retention.purge_due_cases(svc, clock.now())
    tick(app, run_jobs)
    types = [Webhook(secret).verify(r[2], r[1])["type"] for r in hook.requests]
    assert sorted(types) == ["case.cancelled", "case.data_purged", "case.opened"]
    purged = next(r[2] for r in hook.requests if b"case.data_purged" in r[2])
    assert b"Mustermann" not in purged
    assert b'"fields_deleted":2' in purged  # the expected name and the case's data key


def test_a_job_that_raises_is_a_failed_attempt_with_backoff_cap_and_alert(
        app, svc, client, partner, secret, receiver, clock, run_jobs):
    from kcheck import crypto

    hook = receiver()
    case = partner.open_case(callback_url=hook.url).get_json()
    with svc.transaction() as session:  # a secret sealed under another master key
        client_row = session.scalars(select(ApiClient)).one()
        client_row.webhook_secret = crypto.seal(b"k" * 32, secret.encode(), f"whsec:{client_row.id}")
    moments = []
    for _ in range(20):
        event = event_of(svc, case["id"], "case.opened")
        if event.status not in webhooks.DUE_STATUSES:
            break
        clock.set(event.next_attempt_at)
        moments.append(clock.now())
        tick(app, run_jobs)
    event = event_of(svc, case["id"], "case.opened")
    assert event.status == "failed" and event.attempts == webhooks.MAX_ATTEMPTS
    assert attempts(svc, event.id) == [(n, None, "job_error:DecryptionError")
                                       for n in range(1, webhooks.MAX_ATTEMPTS + 1)]
    gaps = [(b - a).total_seconds() for a, b in zip(moments, moments[1:], strict=False)]
    for gap, planned in zip(gaps, webhooks.RETRY_DELAYS_S, strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1
    assert hook.requests == []
    scraped = client.get("/metrics").get_data(as_text=True)
    assert f"kcheck_webhook_job_errors_total {float(webhooks.MAX_ATTEMPTS)}" in scraped
    assert 'kcheck_webhook_events{status="failed"} 1.0' in scraped


@pytest.fixture
def rebinding_dns(monkeypatch):
    """hooks.example.test answers a public address once, then loopback (DNS rebinding). The
    system resolver cannot be pointed at a hostile server here, so getaddrinfo is scripted."""
    import socket

    real = socket.getaddrinfo
    answers = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, port, *args, **kwargs)
        address = "1.1.1.1" if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_production_connects_to_the_address_it_checked(svc, partner, secret, rebinding_dns):
    import dataclasses
    import socket

    internal = socket.socket()
    internal.bind(("127.0.0.1", 0))
    internal.listen(8)
    internal.setblocking(False)
    port = internal.getsockname()[1]
    case = partner.open_case(callback_url=f"https://hooks.example.test:{port}/hook").get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    production = dataclasses.replace(svc, settings=dataclasses.replace(svc.settings,
                                                                       env="production"))
    assert webhooks.deliver_event(production, event_id) == "retry"
    assert rebinding_dns == ["1.1.1.1"]  # resolved once, and that address was used
    with pytest.raises(BlockingIOError):
        internal.accept()  # nothing reached the internal address
    internal.close()
    [(attempt, status, error)] = attempts(svc, event_id)
    assert (attempt, status) == (1, None) and error and error != "callback_url_refused"


def test_production_refuses_plain_http_callbacks(svc, partner, secret, rebinding_dns):
    import dataclasses

    case = partner.open_case(callback_url="http://hooks.example.test/hook").get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    production = dataclasses.replace(svc, settings=dataclasses.replace(svc.settings,
                                                                       env="production"))
    # A public address, but plain http: never fetched, not retried.
    assert webhooks.deliver_event(production, event_id) == "failed"
    assert attempts(svc, event_id) == [(1, None, "callback_url_refused")]
    assert rebinding_dns == []


def test_an_egress_proxy_makes_the_connection(make_app, settings, receiver):
    import dataclasses

    from tests.actors import Partner

    proxy = receiver()  # answers like a forward proxy relaying a 200
    app = make_app(dataclasses.replace(settings, egress_proxy_url=proxy.url.removesuffix("/hook")))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:
        key = apikeys.create(session, "proxied", ["cases:write"], svc.now(),
                             settings.master_key).key
    case = Partner(app.test_client(), key).open_case(
        callback_url="http://hooks.example.test/hook").get_json()
    event_id = event_of(svc, case["id"], "case.opened").id
    assert webhooks.deliver_event(svc, event_id) == "delivered"
    [(path, headers, _body, _status)] = proxy.requests
    assert path == "http://hooks.example.test/hook" and headers["webhook-id"] == event_id
