"""Document intelligence end to end: a submitted case is analysed by the periodic job and
the reviewer's summary shows the MRZ, cross-checks, face match and reuse flags."""

from __future__ import annotations

from sqlalchemy import select

from kcheck.docintel import summary_for_reviewer
from kcheck.docintel.crosscheck import NAME_MATCH
from kcheck.models import Case, Photo
from kcheck.workers.docintel_job import due_case_ids, enqueue_due_analyses
from kcheck.workers.runtime import serving
from tests.fixtures.documents import make_photo
from tests.fixtures.mrz_documents import make_mrz_photo


def submit_passport(partner, person_for, run_jobs, passport: bytes, biometric: bool,
                    expected_name="Luca Maria Meier", selfie_seed=1):
    case = partner.open_case(reason="two_factor_disable", subject_ref="acct-9",
                             expected_name=expected_name).get_json()
    person = person_for(case["verification_url"])
    person.through_document_type("passport")
    assert person.call("POST", "/v1/session/consent",  # before the selfie
                       json={"terms": True, "biometric": biometric}).status_code == 200
    for slot, data in (("passport_page", passport), ("selfie", make_photo("selfie",
                                                                         seed=selfie_seed))):
        assert person.upload(slot, data).status_code == 202
        run_jobs()
    assert person.call("POST", "/v1/session/submit").status_code == 200
    return case["id"]


def analyse(app, run_jobs) -> int:
    with serving(app.extensions["kcheck"]):
        count = enqueue_due_analyses()
    run_jobs()
    return count


def summary(svc, case_id):
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        return summary_for_reviewer(session, case, svc.vault())


def test_submitted_case_is_analysed_once_and_summarised(partner, person_for, run_jobs, svc,
                                                        app):
    passport, spec = make_mrz_photo("TD3", 2, nationality="CHE", issuing_country="CHE")
    case_id = submit_passport(partner, person_for, run_jobs, passport, biometric=True,
                              expected_name="Léa Dubois")
    assert summary(svc, case_id)["state"] == "pending"
    assert analyse(app, run_jobs) == 1
    with svc.sessions() as session:
        assert due_case_ids(session) == []  # nothing left: the next tick enqueues nothing
        photos = session.scalars(select(Photo).where(Photo.case_id == case_id)).all()
        assert all(p.analysis == "done" for p in photos)
        page = next(p for p in photos if p.slot == "passport_page")
        assert page.mrz is not None and spec.surname.encode() not in page.mrz  # sealed
    shown = summary(svc, case_id)
    assert shown["state"] == "ready"
    assert shown["mrz"]["state"] == "valid" and shown["mrz"]["format"] == "TD3"
    # Names have no check digit: the reader may drop a letter of a small strip ("DUBIS"),
    # which the name comparison tolerates; the fields check digits cover must be exact.
    assert shown["mrz"]["fields"]["surname"].startswith("DUB")
    assert shown["mrz"]["fields"]["document_number"] == spec.document_number
    assert all(shown["mrz"]["checks"].values()) and shown["reason_codes"] == []
    assert shown["name"]["state"] == "match" and shown["name"]["similarity"] >= NAME_MATCH
    assert shown["document_type"]["state"] == "match"
    assert shown["expiry"]["state"] == "valid"
    assert shown["country"]["state"] == "same"  # Lausanne, CHE passport
    assert shown["face_match"]["state"] == "match"
    assert 0 < shown["face_match"]["similarity"] <= 1
    assert shown["reuse"] == {"state": "none", "flags": [],
                              "checked_slots": ["passport_page", "selfie"]}


def test_no_consent_no_face_match_and_an_invalid_zone_is_flagged(partner, person_for,
                                                                run_jobs, svc, app):
    passport, _ = make_mrz_photo("TD3", 7, broken_check="birth_date")
    case_id = submit_passport(partner, person_for, run_jobs, passport, biometric=False,
                              expected_name="Someone Else")
    analyse(app, run_jobs)
    shown = summary(svc, case_id)
    assert shown["face_match"] == {"state": "not run: no consent"}
    with svc.sessions() as session:
        assert session.get(Case, case_id).face_match is None
    assert shown["mrz"]["state"] == "invalid"
    assert "birth_date" in shown["mrz"]["failed_checks"]
    assert shown["reason_codes"] == ["mrz_invalid"]
    # Nothing is checked against a zone that failed its check digits.
    assert shown["name"]["state"] == "unavailable: no valid MRZ"
    assert shown["expiry"]["state"] == "unavailable: no valid MRZ"


def test_the_same_photo_and_document_in_another_open_case_are_flagged(partner, person_for,
                                                                     run_jobs, svc, app):
    passport, _ = make_mrz_photo("TD3", 11)
    first = submit_passport(partner, person_for, run_jobs, passport, biometric=False)
    second = submit_passport(partner, person_for, run_jobs, passport, biometric=False,
                             selfie_seed=5)
    assert analyse(app, run_jobs) == 2
    flags = summary(svc, second)["reuse"]["flags"]
    assert {"slot": "passport_page", "kind": "same_document", "other_case_id": first,
            "other_slot": "passport_page"} in flags
    assert not [f for f in flags if f["slot"] == "selfie"]  # different selfies
    assert summary(svc, first)["reuse"]["state"] == "flagged"


def test_the_purge_removes_every_result_and_the_summary_says_so(partner, person_for, run_jobs,
                                                                svc, app, clock):
    from kcheck.retention import pii_columns, purge_due_cases

    passport, _ = make_mrz_photo("TD3", 5)
    case_id = submit_passport(partner, person_for, run_jobs, passport, biometric=True)
    analyse(app, run_jobs)
    marked = {c.name for cols in pii_columns().values() for c in cols}
    assert {"mrz", "phash", "phash_bands", "document_digest", "face_match"} <= marked
    clock.advance(hours=72)  # the cap: every case's data is gone 72 hours after it arrived
    assert purge_due_cases(svc, clock.now()).cases == 1
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        assert case.face_match is None
        for photo in session.scalars(select(Photo).where(Photo.case_id == case_id)):
            assert (photo.mrz, photo.phash, photo.phash_bands, photo.document_digest) == \
                (None, None, None, None)
    assert summary(svc, case_id) == {"state": "purged"}
