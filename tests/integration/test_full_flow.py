"""Whole verification flows through the API, with the real worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import outbox_code
from tests.fixtures.documents import make_photo

SLOTS = {"id_card": ("id_front", "id_back", "selfie"), "passport": ("passport_page", "selfie")}


def walk(partner, person_for, run_jobs, document_type="id_card"):
    case = partner.open_case(reason="two_factor_disable", subject_ref="acct-7",
                             expected_name="Anna Muster", locale="de").get_json()
    person = person_for(case["verification_url"])
    person.through_document_type(document_type)
    for slot in SLOTS[document_type]:
        assert person.upload(slot, make_photo(slot, seed=3)).status_code == 202
        run_jobs()
        quality = person.call("GET", f"/v1/session/photos/{slot}").get_json()["quality"]
        assert quality["status"] == "pass", (slot, quality)
        assert quality["message"]  # localized "looks good"
    submitted = person.call("POST", "/v1/session/submit")
    assert submitted.status_code == 200, submitted.get_json()
    return case, person


def test_person_completes_every_step_and_case_is_submitted(partner, person_for, run_jobs):
    case, person = walk(partner, person_for, run_jobs)
    assert person.call("GET", "/v1/session").get_json()["status"] == "submitted"
    read = partner.get(f"/v1/cases/{case['id']}").get_json()
    assert read["status"] == "submitted" and read["submitted_at"]
    events = partner.get(f"/v1/cases/{case['id']}/events").get_json()["events"]
    assert [e["type"] for e in events] == ["case.opened", "case.submitted"]
    assert person.call("POST", "/v1/session/submit").status_code == 409  # no double submit


def _passport_page_checked(partner, person_for, run_jobs, photo: bytes):
    """The person at the passport step of a new case, with `photo` sent and checked: the person
    and what they are shown of it."""
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    person.through_document_type("passport")
    person.upload("passport_page", photo)
    run_jobs()
    return person, person.call("GET", "/v1/session/photos/passport_page").get_json()["quality"]


def test_retake_feedback_then_a_good_photo(partner, person_for, run_jobs):
    person, quality = _passport_page_checked(partner, person_for, run_jobs,
                                             make_photo("passport_page", defect="blur", seed=1))
    assert quality["status"] == "retake" and "blurry" in quality["reasons"]
    assert quality["message"]
    person.upload("passport_page", make_photo("passport_page", seed=1))
    run_jobs()
    assert person.call("GET", "/v1/session/photos/passport_page").get_json()[
        "quality"]["status"] == "pass"


def test_a_passport_page_of_the_wrong_side_is_told_to_open_the_photo_page(partner, person_for, run_jobs):
    """The person reads what to do with a passport: open it at the photo page, not turn it over."""
    _, quality = _passport_page_checked(partner, person_for, run_jobs,
                                        make_photo("passport_page", defect="wrong_side", seed=1))
    assert quality["status"] == "retake" and quality["reasons"] == ["wrong_document_side"]
    assert "photo page" in quality["message"] and "Turn it over" not in quality["message"]


def test_after_three_retakes_the_person_can_submit_with_a_flag(partner, person_for, run_jobs):
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    person.through_document_type("passport")
    for attempt in range(4):
        person.upload("passport_page", make_photo("passport_page", defect="dark", seed=attempt))
        run_jobs()
        if attempt < 3:
            blocked = person.call("POST", "/v1/session/submit").get_json()
            assert "photo:passport_page" in blocked["missing"]
    person.upload("selfie", make_photo("selfie", seed=2))
    run_jobs()
    submitted = person.call("POST", "/v1/session/submit")
    assert submitted.status_code == 200
    assert submitted.get_json()["flagged_slots"] == ["passport_page"]


def test_no_personal_data_in_logs(partner, person_for, run_jobs, settings, caplog):
    caplog.set_level(logging.DEBUG)
    case, person = walk(partner, person_for, run_jobs)
    token = case["verification_url"].split("#", 1)[1]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "POST /v1/session/phone" in logged  # the capture did see the flow
    forbidden = ["+41791234567", "79 123 45 67", "791234567", outbox_code(settings), token,
                 person.headers["Authorization"][7:], "46.5197", "6.6323", "Anna Muster",
                 "\\xff\\xd8", "JFIF"]
    for value in forbidden:
        assert value not in logged, value


@pytest.fixture
def pg_settings(settings, postgres_url):
    from kcheck.db import upgrade

    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = postgres_url.replace("/postgres?", f"/{name}?")
    upgrade(url)
    return settings.__class__(**{**settings.__dict__, "database_url": url})


@pytest.mark.postgres
def test_whole_flow_on_postgresql(make_app, pg_settings, person_for, clock):
    from kcheck import apikeys
    from tests.actors import Partner, Person

    app = make_app(pg_settings)
    svc = app.extensions["kcheck"]
    assert svc.engine.dialect.name == "postgresql"
    with svc.transaction() as session:
        key = apikeys.create(session, "pg", ["cases:read", "cases:write"], svc.now(),
                             svc.settings.master_key).key
    client = app.test_client()
    partner = Partner(client, key)

    def run_jobs():
        from rq import SimpleWorker

        from kcheck.adapters.queue import QUEUES, redis_from_url
        from kcheck.workers.runtime import serving

        with serving(app.extensions["kcheck"]):
            SimpleWorker(list(QUEUES), connection=redis_from_url(pg_settings.redis_url)).work(
                burst=True)

    walk(partner, lambda url: Person(client, pg_settings, clock, url.split("#", 1)[1]), run_jobs,
         document_type="passport")
