"""The retention promise as a property: for random case histories (opened or never opened,
resent, cancelled, expired, decided, sent back for new photos, with and without every optional
field), at every hour from 0 to 240, once the purge has run the retention audit finds nothing
past its deadline, and no personal value exists 72 hours after it was stored.

The histories run side by side in one world (one SQLite database, local blobs, the frozen
clock): the partner and the person speak the real API through the Flask test client, the
reviewer's decision is the review use case the review UI calls, and each hour runs the expiry sweep, the
purge and the audit once for all of them. KCHECK_RETENTION_SEED and KCHECK_RETENTION_HISTORIES
replay or widen a run.
"""

from __future__ import annotations

import dataclasses
import os
import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from kcheck import retention, staff
from kcheck.domain.decisions import DecisionRequest
from kcheck.models import AuditEvent, Case, Photo
from kcheck.retention_audit import find_leftovers
from kcheck.vault import Vault
from kcheck.workers.expiry import expire_due
from tests import images
from tests.actors import Partner, Person

HISTORIES = int(os.environ.get("KCHECK_RETENTION_HISTORIES", "220"))
SEED = int(os.environ.get("KCHECK_RETENTION_SEED", "20261201"))
HOURS = 240
UPLOAD = images.plain_jpeg(640, 480)  # a small photo the intake accepts
PREVIEW = images.plain_jpeg(64, 48)


@dataclasses.dataclass
class History:
    """One case's plan (hour, action, options) and what the test saw it store."""

    number: int
    steps: list[tuple[int, str, dict]]
    case_id: str | None = None
    token: str | None = None
    person: Person | None = None
    stored: dict[str, object] = dataclasses.field(default_factory=dict)  # case column -> when

    def describe(self) -> str:
        return f"history {self.number} (seed {SEED}): {self.steps}"


def plan(rng: random.Random, number: int) -> History:
    """A random history; later steps of a case that has ended are refused by the API, which is
    part of what is being tested."""
    t = rng.randrange(0, 120)
    steps = [(t, "open", {"expected_name": rng.random() < 0.5,
                          "callback": rng.random() < 0.3,
                          "days": rng.choice([None, None, 1, 3, 10, 30]),
                          "locale": rng.choice([None, "fr"])})]
    if rng.random() < 0.2:
        steps.append((t + rng.randrange(0, 120), "cancel", {}))
    if rng.random() < 0.3:
        steps.append((t + rng.randrange(0, 80), "resend", {}))
    if rng.random() < 0.75:
        s = t + rng.choice([0, 1, 5, 30, 60, 71, 72, 73, 100, 150])
        steps.append((s, "start", {"second_number": rng.random() < 0.3}))
        if rng.random() < 0.85:
            steps.append((s, "locate", {}))
            if rng.random() < 0.8:
                p = s + rng.choice([0, 0, 1, 2])
                steps.append((p, "photos", {"slots": ("id_front", "id_back", "selfie")}))
                if rng.random() < 0.85:
                    steps.append((p, "submit", {}))
                    if rng.random() < 0.8:
                        d = p + rng.choice([0, 1, 3, 24, 48, 70, 80])
                        outcome = rng.choice(["approved", "rejected", "resubmission_requested"])
                        steps.append((d, "decide", {"outcome": outcome,
                                                    "note": rng.random() < 0.5}))
                        if outcome == "resubmission_requested" and rng.random() < 0.7:
                            r = d + rng.choice([0, 1, 5, 20])
                            steps.append((r, "photos", {"slots": ("selfie",)}))
                            steps.append((r, "submit", {}))
                            steps.append((r + rng.choice([0, 2, 30]), "decide",
                                          {"outcome": "approved", "note": False}))
    steps.sort(key=lambda step: step[0])  # stable: same-hour steps keep their order
    return History(number, steps)


class World:
    """The partner, the people, one reviewer, and the test's own record of what was stored."""

    def __init__(self, app, svc, settings, clock, partner: Partner, reviewer):
        self.app, self.svc, self.settings, self.clock = app, svc, settings, clock
        self.partner = partner
        self.reviewer = reviewer
        self.vault = Vault(settings.master_key, svc.storage)
        self.blobs: dict[str, object] = {}  # blob key -> when stored
        self.phones = iter(range(1_000_000, 9_999_999, 7919))

    def phone(self) -> str:
        return f"+4179{next(self.phones):07d}"

    def run(self, history: History, action: str, options: dict) -> None:
        getattr(self, action)(history, **options)

    def open(self, h: History, expected_name, callback, days, locale) -> None:
        body = {"reason": "order_unblock", "subject_ref": f"order-{h.number}"}
        if expected_name:
            body["expected_name"] = "Marie Curie"
        if callback:
            body["callback_url"] = "https://orders.example.test/hooks"
        if days:
            body["expires_in_days"] = days
        if locale:
            body["locale"] = locale
        response = self.partner.open_case(**body)
        assert response.status_code == 201, response.get_json()
        h.case_id = response.get_json()["id"]
        h.token = response.get_json()["verification_url"].split("#", 1)[1]
        if expected_name:
            h.stored["expected_name"] = self.clock.now()

    def cancel(self, h: History) -> None:
        self.partner.post(f"/v1/cases/{h.case_id}/cancel")

    def resend(self, h: History) -> None:
        response = self.partner.post(f"/v1/cases/{h.case_id}/resend")
        if response.status_code == 200:
            h.token = response.get_json()["verification_url"].split("#", 1)[1]

    def _person_call(self, h: History, call):
        """A person's step; after a resend (old session revoked) they open the new link."""
        if h.person is None or h.person.token != h.token:
            h.person = Person(self.partner.client, self.settings, self.clock, token=h.token)
            if h.person.open().status_code != 201:
                return None
        return call(h.person)

    def start(self, h: History, second_number: bool) -> None:
        """Confirm a number (and, in some histories, change it for another one)."""
        for _ in range(2 if second_number else 1):
            sent = self._person_call(h, lambda p: p.request_code(self.phone()))
            if sent is None or sent.status_code != 202:
                return
            if h.person.verify().status_code == 200:
                h.stored["phone"] = self.clock.now()
            self.clock.advance(seconds=1)  # a second number's challenge is the newer one

    def locate(self, h: History) -> None:
        located = self._person_call(h, lambda p: p.locate())
        if located is not None and located.status_code == 200:
            h.stored["location"] = h.stored["location_country"] = self.clock.now()

    def photos(self, h: History, slots) -> None:
        chosen = self._person_call(h, lambda p: p.choose("id_card"))
        if chosen is None or chosen.status_code != 200:
            return
        for slot in slots:
            uploaded = h.person.upload(slot, UPLOAD)
            if uploaded.status_code != 202:
                return
            self._checked(h, uploaded.get_json()["photo_id"])

    def _checked(self, h: History, photo_id: str) -> None:
        """What the quality worker leaves: a verdict, metrics and an encrypted preview."""
        with self.svc.transaction() as session:
            photo = session.get(Photo, photo_id)
            case = session.get(Case, photo.case_id)
            photo.status, photo.reasons, photo.metrics = "pass", [], {"sharpness": 90.0}
            photo.preview_key = self.vault.put_blob(case, f"preview-{photo.slot}", PREVIEW)
            photo.checked_at = self.clock.now()
            self.blobs[photo.blob_key] = self.blobs[photo.preview_key] = self.clock.now()

    def submit(self, h: History) -> None:
        self._person_call(h, lambda p: p.call("POST", "/v1/session/submit"))

    def decide(self, h: History, outcome: str, note: bool) -> None:
        from kcheck.usecases import review

        reason = {"approved": "identity_confirmed", "rejected": "name_mismatch",
                  "resubmission_requested": "glare_or_blur"}[outcome]
        resubmission = outcome == "resubmission_requested"
        wanted = DecisionRequest(outcome, reason, note="Said she is Marie Curie" if note else "",
                                 slots=("selfie",) if resubmission else (),
                                 message="Please retake the selfie, Marie." if resubmission
                                 else "")
        with self.svc.sessions() as session:
            case = session.get(Case, h.case_id)
        if case.status not in ("submitted", "in_review"):
            return
        try:
            review.decide(self.svc, h.case_id, self.reviewer.id, wanted, str(case.version))
        except review.Conflict:
            return
        if resubmission:
            h.stored["resubmission_message"] = self.clock.now()


def values_past_72_hours(world: World, histories: list[History]) -> list[str]:
    """Every personal value (the test's own record of when it arrived) older than the cap."""
    now, cap = world.clock.now(), timedelta(hours=world.settings.retention_hours)
    by_case = {h.case_id: h for h in histories if h.case_id}
    found = []
    with world.svc.sessions() as session:
        for table, columns in retention.pii_columns().items():
            owner = retention._owner(table)
            stamp = [] if table.name == "cases" else [table.c.created_at]
            for row in session.execute(select(owner, *stamp, *columns)):
                h = by_case[row[0]]
                values = dict(zip([c.name for c in columns], row[1 + len(stamp):], strict=True))
                for name, value in values.items():
                    if value is None:
                        continue
                    if table.name != "cases":
                        stored = row[1]
                    elif name == "wrapped_data_key":
                        # The key seals the values; it goes with the last of them.
                        stored = max(h.stored.values(), default=None)
                    else:
                        stored = h.stored.get(name)
                    if stored is None or now >= stored + cap:
                        found.append(f"{table.name}.{name} stored {stored}: {h.describe()}")
    for key in world.svc.storage.list_keys(""):
        stored = world.blobs.get(key)
        if stored is None or now >= stored + cap:
            found.append(f"blob {key} stored {stored}")
    return found


@pytest.fixture
def world(make_app, settings, clock):
    quiet = dataclasses.replace(settings, rate_limits_enabled=False)
    app = make_app(quiet)
    svc = app.extensions["kcheck"]
    from kcheck import apikeys

    with svc.transaction() as session:
        key = apikeys.create(session, "order-system", ["cases:read", "cases:write"], svc.now(),
                             quiet.master_key).key
        enrolment = staff.create(session, "reviewer@example.test", "reviewer", svc.now(),
                                 quiet.master_key)
    reviewer = SimpleNamespace(id=enrolment.staff_id)  # what the review UI keeps in `g.staff`
    return World(app, svc, quiet, clock, Partner(app.test_client(), key), reviewer)


def test_no_personal_value_outlives_its_deadline_in_random_histories(world):
    rng = random.Random(SEED)
    histories = [plan(rng, n) for n in range(HISTORIES)]
    start = world.clock.now()
    seen_by_audit = 0
    for hour in range(HOURS + 1):
        world.clock.set(start + timedelta(hours=hour))
        for h in histories:
            for at, action, options in h.steps:
                if at == hour and (h.case_id or action == "open"):
                    world.run(h, action, options)
        now = world.clock.now()
        expire_due(world.svc, now)
        seen_by_audit += len(find_leftovers(world.svc, now))
        retention.purge_due_cases(world.svc, now, workers=1)
        leftovers = find_leftovers(world.svc, now)
        assert leftovers == [], f"hour {hour}: " + "; ".join(f.line() for f in leftovers[:5])
        late = values_past_72_hours(world, histories)
        assert late == [], f"hour {hour}: " + "; ".join(late[:5])
    # The audit is not blind: before each purge it saw what was due at that hour.
    assert seen_by_audit > 0
    opened = [h for h in histories if h.case_id]
    with world.svc.sessions() as session:
        statuses = set(session.scalars(select(Case.status)))
        actions = set(session.scalars(select(AuditEvent.action)))
    assert len(opened) == HISTORIES >= 200
    assert {"cancelled", "expired", "approved", "rejected"} <= statuses, statuses
    # Both purges ran: a whole case's, and the requester's data alone while a case went on.
    assert {"case.data_purged", "case.requester_data_purged"} <= actions
