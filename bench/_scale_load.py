"""The load client of bench/scale.py: people on their phones, a reviewer, the requester's
webhook receiver, all over loopback HTTP against the live system's web servers."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
import urllib3

from tests.conftest import outbox_code
from tests.fixtures.documents import make_photo
from tests.integration.review.conftest import CSRF
from tests.live import LiveSystem

SLOTS = ("id_front", "id_back", "selfie")
WAIT_S = 20  # as verify.js: the longest the API holds a request for a verdict
VERSION = re.compile(r'name="version" value="(\d+)"')


class Receiver(ThreadingHTTPServer):
    """The requester's webhook endpoint: verifies each signature, counts each message id."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Hook)
        self.lock = threading.Lock()
        self.reset("")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def reset(self, secret: str) -> None:
        with self.lock:
            self.secret = secret
            self.ids: Counter[str] = Counter()
            self.bad = 0
            self.first: dict[tuple[str, str], float] = {}  # (case id, type) -> when

    def record(self, body: bytes, headers: dict[str, str]) -> bool:
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        try:
            event = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.bad += 1
            return False
        with self.lock:
            self.ids[headers["webhook-id"]] += 1
            self.first.setdefault((event["data"]["case_id"], event["type"]), time.monotonic())
        return True


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.send_response(204 if self.server.record(body, headers) else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


class Run:
    """One (N, M) setting: the live system, the people's threads and what they measured."""

    def __init__(self, live: LiveSystem, receiver: Receiver, key: str, enrolment, photos):
        self.live, self.receiver, self.key, self.enrolment = live, receiver, key, enrolment
        self.photos = photos
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.failovers = 0
        self.cases: list[str] = []
        self.decided: dict[str, float] = {}
        self.submitted: list[str] = []
        self.review_cv = threading.Condition()

    def timed(self, step: str, started: float) -> None:
        with self.lock:
            self.times[step].append(time.monotonic() - started)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Web:
    """A loopback client that sticks to one web server and moves to the next when it stops
    answering (as a load balancer's health check would)."""

    def __init__(self, run: Run, start: int, headers: dict[str, str] | None = None):
        self.run, self.index = run, start
        self.http = requests.Session()
        # Loopback only: no proxy or .netrc lookups from the environment on each request (a
        # third of the client's CPU per request, on the cores the system under test uses).
        self.http.trust_env = False
        self.http.headers.update(headers or {})
        self.moved = False

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self._to_any(method, path, lambda url: self.http.request(
            method, url + path, timeout=60, **kwargs))

    def poll(self, path: str) -> tuple[int, bytes]:
        """A GET while waiting for verdicts, straight through the session's urllib3 pool
        (the same connections, half of requests' CPU per call: this client shares the
        cores of the system it measures). Returns the status and the body."""
        def get(url: str) -> tuple[int, bytes]:
            pool = self.http.get_adapter(url).poolmanager
            response = pool.request("GET", url + path, headers=dict(self.http.headers),
                                    timeout=60, retries=False, redirect=False)
            return response.status, response.data

        return self._to_any("GET", path, get)

    def _to_any(self, method: str, path: str, send):
        for _ in range(120):
            urls = self.run.live.urls
            url = urls[self.index % len(urls)]
            try:
                return send(url)
            except (requests.ConnectionError, urllib3.exceptions.HTTPError):
                with self.run.lock:
                    self.run.failovers += 1
                self.index += 1
                self.moved = True
                time.sleep(0.25)
        raise RuntimeError(f"no web server answered {method} {path}")


def expect(run: Run, response: requests.Response, *ok: int) -> dict:
    if response.status_code not in ok:
        run.error(f"{response.request.method} {response.request.path_url.split('?')[0]}: "
                  f"{response.status_code} {response.text[:120]}")
        raise _Failed
    return response.json() if response.content and "json" in response.headers.get(
        "content-type", "") else {}


class _Failed(Exception):
    pass


class Burst:
    """Everybody uploads at once; `on_full` runs when the last upload is in (the queue is
    full), `on_drained` when the last person has seen their verdicts."""

    def __init__(self, people: int, on_full=None, on_drained=None):
        self.people, self.on_full, self.on_drained = people, on_full, on_drained
        self.lock = threading.Lock()
        self.uploads_done = self.verdicts_seen = 0
        self.started = self.released = None

    def uploads_finished(self) -> None:
        with self.lock:
            self.uploads_done += 1
            if self.uploads_done == self.people:
                self.released = time.monotonic()
                if self.on_full:
                    self.on_full()

    def verdicts_finished(self) -> None:
        with self.lock:
            self.verdicts_seen += 1
            if self.verdicts_seen == self.people and self.on_drained:
                self.on_drained()


def person(run: Run, index: int, ready: threading.Barrier, burst: Burst) -> None:
    partner = Web(run, index, {"Authorization": f"Bearer {run.key}"})
    phone = f"+4179123{index:04d}"
    try:
        started = time.monotonic()
        case = expect(run, partner.call("POST", "/v1/cases", json={
            "reason": "other", "subject_ref": f"bench-{index}",
            "callback_url": run.receiver.url}), 201)
        run.timed("open case", started)
        with run.lock:
            run.cases.append(case["id"])
        web = Web(run, index)
        started = time.monotonic()
        opened = expect(run, web.call("POST", "/v1/sessions", json={
            "token": case["verification_url"].split("#", 1)[1]}), 201)
        run.timed("open session", started)
        web.http.headers["Authorization"] = f"Bearer {opened['session_token']}"
        started = time.monotonic()
        expect(run, web.call("POST", "/v1/session/phone", json={"phone_number": phone}), 202)
        code = outbox_code(run.settings, to=phone)
        expect(run, web.call("POST", "/v1/session/phone/verify", json={"code": code}), 200)
        run.timed("sms code", started)
        started = time.monotonic()
        expect(run, web.call("POST", "/v1/session/location", json={
            "latitude": 46.52, "longitude": 6.63, "accuracy_m": 10,
            "captured_at": datetime.now(UTC).isoformat()}), 200)
        run.timed("location", started)
        started = time.monotonic()
        expect(run, web.call("PUT", "/v1/session/document-type", json={"type": "id_card"}), 200)
        run.timed("document type", started)
    except _Failed:
        ready.abort()
        return
    try:
        ready.wait()
    except threading.BrokenBarrierError:  # someone failed before the burst: reported
        return
    burst.started = burst.started or time.monotonic()
    try:
        photos_and_submit(run, web, index, burst)
    except _Failed:
        return
    with run.review_cv:
        run.submitted.append(case["id"])
        run.review_cv.notify()


def photos_and_submit(run: Run, web: Web, index: int, burst: Burst) -> None:
    uploaded: dict[str, float] = {}
    for slot in SLOTS:
        started = time.monotonic()
        expect(run, web.call("PUT", f"/v1/session/photos/{slot}",
                             data=run.photos[slot][index % len(run.photos[slot])],
                             headers={"Content-Type": "image/jpeg"}), 202)
        uploaded[slot] = time.monotonic()
        run.timed("upload", started)
    burst.uploads_finished()
    deadline = time.monotonic() + 300
    for slot in SLOTS:  # as verify.js goes through the slots: the verdict, then the session
        status = wait_for_verdict(run, web, slot, deadline)
        run.timed("verdict", max(uploaded[slot], burst.released or 0))
        if status != "pass":
            run.error(f"photo {slot} of person {index}: {status}")
        code, body = web.poll("/v1/session")  # verify.js's refresh() before the next step
        if code != 200:
            run.error(f"GET /v1/session: {code} {body[:120]!r}")
            raise _Failed
    burst.verdicts_finished()
    started = time.monotonic()
    response = web.call("POST", "/v1/session/submit")
    if not (web.moved and response.status_code == 409):  # a retried submit that had landed
        expect(run, response, 200)
    run.timed("submit", started)


def wait_for_verdict(run: Run, web: Web, slot: str, deadline: float) -> str:
    """The photo's verdict, asked as verify.js asks: the server holds each request until the
    verdict is stored (at most WAIT_S); a request answered still pending is repeated at most
    once a second."""
    while time.monotonic() < deadline:
        asked = time.monotonic()
        code, body = web.poll(f"/v1/session/photos/{slot}?wait={WAIT_S}")
        if code != 200:
            run.error(f"GET /v1/session/photos/<slot>: {code} {body[:120]!r}")
            raise _Failed
        status = json.loads(body)["quality"]["status"]
        if status != "pending":
            return status
        time.sleep(max(0.0, 1.0 - (time.monotonic() - asked)))
    run.error("no verdict after 300 s")
    raise _Failed


def reviewer(run: Run, people: int) -> None:
    """One staff member: logs in with password and TOTP, approves each case as it arrives."""
    import pyotp

    web = Web(run, 0)
    page = web.call("GET", "/review/login").text
    expect(run, web.call("POST", "/review/login", allow_redirects=False, data={
        "csrf_token": CSRF.search(page).group(1), "email": run.enrolment.email,
        "password": run.enrolment.password,
        "code": pyotp.TOTP(run.enrolment.totp_secret).now()}), 302)
    for _ in range(people):
        with run.review_cv:
            if not run.review_cv.wait_for(lambda: run.submitted, timeout=120):
                return
            case_id = run.submitted.pop(0)
        started = time.monotonic()
        shown = web.call("GET", f"/review/cases/{case_id}")
        if shown.status_code != 200:
            run.error(f"review page of a case: {shown.status_code}")
            continue
        page = shown.text
        response = web.call("POST", f"/review/cases/{case_id}/decision", allow_redirects=False,
                            data={"csrf_token": CSRF.search(page).group(1),
                                  "version": VERSION.search(page).group(1),
                                  "outcome": "approved", "reason_code": "identity_confirmed"})
        if response.status_code != 303 and not (web.moved and response.status_code == 409):
            run.error(f"decision on a case: {response.status_code}")
            continue
        run.timed("decision", started)
        with run.lock:
            run.decided[case_id] = time.monotonic()


def passing_photos(per_slot: int) -> dict[str, list[bytes]]:
    """12 MP phone-like JPEGs that pass the check, so nobody is asked for a retake."""
    from kcheck.quality import check_upload

    photos: dict[str, list[bytes]] = {}
    for slot in SLOTS:
        photos[slot] = []
        for seed in range(4 * per_slot):
            data = make_photo(slot, None, seed=seed, long_side=4000)
            if check_upload(data, slot).verdict == "pass":
                photos[slot].append(data)
            if len(photos[slot]) == per_slot:
                break
    return photos
