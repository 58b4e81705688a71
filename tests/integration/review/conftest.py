"""Review UI fixtures: staff accounts, a reviewer's browser-like client, submitted cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from kcheck import staff
from kcheck.models import Case, Photo, StaffUser
from tests import images

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Reviewer:
    """A staff member in a browser: a cookie jar, the CSRF token of the page last seen."""

    def __init__(self, app, clock, enrolment: staff.Enrolment, base_url: str | None = None):
        self.client = app.test_client()
        self.base_url = base_url
        self.clock = clock
        self.enrolment = enrolment
        self.id = enrolment.staff_id
        self.page = None

    def code(self, steps: int = 0) -> str:
        moment = self.clock.now() + timedelta(seconds=30 * steps)
        return pyotp.TOTP(self.enrolment.totp_secret).at(moment)

    def get(self, path: str, **kwargs):
        response = self.client.get(path, base_url=self.base_url, **kwargs)
        if response.mimetype == "text/html":
            self.page = response.get_data(as_text=True)
        return response

    def token(self) -> str:
        return CSRF.search(self.page).group(1)

    def submit(self, path: str, data: dict | None = None, **kwargs):
        """Post a form of the page last seen, with its CSRF token."""
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})},
                                base_url=self.base_url, **kwargs)

    def login(self, code: str | None = None, password: str | None = None):
        self.get("/review/login")
        return self.submit("/review/login", {
            "email": self.enrolment.email, "password": password or self.enrolment.password,
            "code": code or self.code()})


@pytest.fixture
def enrol(svc):
    def make(email: str = "reviewer@example.test", role: str = "reviewer",
             set_up: bool = True) -> staff.Enrolment:
        """A staff account; `set_up` keeps its password as if chosen at the first sign-in."""
        with svc.transaction() as session:
            enrolment = staff.create(session, email, role, svc.now(), svc.settings.master_key)
            if set_up:
                session.get(StaffUser, enrolment.staff_id).must_change_password = False
        return enrolment
    return make


@pytest.fixture
def reviewer_for(app, clock, enrol):
    def make(email: str = "reviewer@example.test", role: str = "reviewer",
             login: bool = True) -> Reviewer:
        member = Reviewer(app, clock, enrol(email, role))
        if login:
            assert member.login().status_code == 302
        return member
    return make


@pytest.fixture
def reviewer(reviewer_for):
    return reviewer_for()


@pytest.fixture
def submitted_case(partner, svc, clock):
    """A case as the intake leaves it: opened by the partner API, then the person's data
    written with the vault (fast; the intake steps themselves have their own tests)."""

    def make(reason: str = "password_reset", retake_slot: str | None = None,
             expected_name: str | None = "Anna Muster") -> str:
        body = {"reason": reason, "subject_ref": "acct-77"}
        if expected_name:
            body["expected_name"] = expected_name
        opened = partner.open_case(**body)
        assert opened.status_code == 201, opened.get_json()
        case_id = opened.get_json()["id"]
        now = svc.now()
        vault = svc.vault()
        with svc.transaction() as session:
            case = session.get(Case, case_id)
            case.status = "submitted"
            case.data_received_at = now - timedelta(minutes=20)
            case.purge_due_at = case.data_received_at + timedelta(hours=72)
            case.phone = vault.seal_value(case, "phone", "+41791234567")
            case.phone_verified_at = now - timedelta(minutes=19)
            case.location = vault.seal_value(case, "location", {
                "latitude": 46.5197, "longitude": 6.6323, "accuracy_m": 12.5,
                "captured_at": (now - timedelta(minutes=18)).isoformat()})
            case.location_country = "CH"
            case.location_at = now - timedelta(minutes=18)
            case.document_type = "id_card"
            for seed, slot in enumerate(("id_front", "id_back", "selfie")):
                retake = slot == retake_slot
                session.add(Photo(
                    case_id=case.id, slot=slot, status="retake" if retake else "pass",
                    reasons=["blurry"] if retake else [], flagged=retake,
                    metrics={"sharpness": 12.5 if retake else 88.0},
                    blob_key=vault.put_blob(case, f"photo-{slot}", images.plain_jpeg(seed=seed)),
                    preview_key=vault.put_blob(case, f"preview-{slot}",
                                               images.plain_jpeg(320, 240, seed=seed + 10)),
                    byte_size=1, created_at=now - timedelta(minutes=15),
                    checked_at=now - timedelta(minutes=14)))
            case.submitted_at = now - timedelta(minutes=10)
            case.updated_at = now
        return case_id

    return make


def case_row(svc, case_id: str) -> Case:
    with svc.sessions() as session:
        return session.get(Case, case_id)
