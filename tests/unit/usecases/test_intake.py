"""The person's steps, above all the SMS code rules: spacing, limits, guesses, verification."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kcheck.domain import otp
from kcheck.models import AuditEvent, Case, SmsChallenge, WebhookEvent
from kcheck.usecases import Refused, intake
from tests.unit.usecases.conftest import photo, status_of

PHONE = "+41791234567"
OTHER = "+41797654321"


def refusal(call) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value


def test_opening_the_link_starts_the_case_and_the_link_works_once(svc, new_case):
    case_id, token = new_case()
    opened = intake.open_session(svc, token)
    assert opened.case.id == case_id and status_of(svc, case_id) == "in_progress"
    assert refusal(lambda: intake.open_session(svc, token)).code == "link_invalid"


def test_a_code_is_sent_in_the_case_language_and_only_its_digest_is_kept(svc, sms, person_case):
    intake.request_code(svc, person_case, PHONE, "fr")
    assert sms.sent[0][0] == PHONE
    assert sms.sent[0][1].startswith("Your kcheck verification code")  # the case says "en"
    with svc.sessions() as session:
        challenge = session.scalar(select(SmsChallenge))
    assert sms.last_code() not in (challenge.code_hash or "") and PHONE.encode() not in \
        challenge.phone


def test_a_resend_within_30_seconds_is_refused_with_the_wait(svc, sms, clock, person_case):
    intake.request_code(svc, person_case, PHONE, "en")
    clock.advance(seconds=12)
    refused = refusal(lambda: intake.request_code(svc, person_case, PHONE, "en"))
    assert (refused.code, refused.extra) == ("rate_limited", {"retry_after_s": 18})
    clock.advance(seconds=18)
    intake.request_code(svc, person_case, PHONE, "en")
    assert len(sms.sent) == 2


def test_a_case_gets_five_codes_at_most(svc, sms, clock, person_case):
    for _ in range(otp.MAX_SENDS_PER_CASE):
        intake.request_code(svc, person_case, PHONE, "en")
        clock.advance(seconds=31)
    assert refusal(lambda: intake.request_code(svc, person_case, PHONE, "en")).code == "sms_limit"
    assert len(sms.sent) == otp.MAX_SENDS_PER_CASE


def test_one_number_gets_five_codes_an_hour_whatever_the_case(svc, sms, clock, new_case):
    cases = []
    for _ in range(otp.MAX_SENDS_PER_NUMBER_PER_HOUR + 1):
        case_id, token = new_case()
        intake.open_session(svc, token)
        cases.append(case_id)
    for case_id in cases[:-1]:
        intake.request_code(svc, case_id, PHONE, "en")
    refused = refusal(lambda: intake.request_code(svc, cases[-1], PHONE, "en"))
    assert (refused.code, refused.extra) == ("rate_limited", {"retry_after_s": 3600})
    intake.request_code(svc, cases[-1], OTHER, "en")  # another number is not concerned
    clock.advance(hours=1)
    intake.request_code(svc, cases[-1], PHONE, "en")
    assert len(sms.sent) == otp.MAX_SENDS_PER_NUMBER_PER_HOUR + 2


def test_the_right_code_verifies_the_phone(svc, sms, person_case):
    intake.request_code(svc, person_case, PHONE, "en")
    case, _photos = intake.verify_code(svc, person_case, f" {sms.last_code()} ")
    assert case.phone_verified_at == svc.now()
    assert refusal(lambda: intake.verify_code(svc, person_case, sms.last_code())).code == \
        "conflict"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_wrong_codes_count_down_then_lock_the_code(svc, sms, person_case):
    intake.request_code(svc, person_case, PHONE, "en")
    code = sms.last_code()
    left = [refusal(lambda: intake.verify_code(svc, person_case, wrong(code)))
            for _ in range(otp.MAX_FAILURES)]
    assert [r.extra.get("attempts_left") for r in left[:-1]] == [4, 3, 2, 1]
    assert left[-1].code == "code_locked"
    # Locked: even the right code no longer works; a new code unlocks.
    assert refusal(lambda: intake.verify_code(svc, person_case, code)).code == "code_locked"


def test_an_expired_code_is_refused(svc, sms, clock, person_case):
    intake.request_code(svc, person_case, PHONE, "en")
    clock.advance(minutes=10, seconds=1)
    assert refusal(lambda: intake.verify_code(svc, person_case, sms.last_code())).code == \
        "code_expired"


def test_a_new_number_does_not_reset_the_case_guess_budget(svc, sms, clock, person_case):
    """Ten wrong codes over two numbers: the case goes to review, no more codes for anyone."""
    for number in (PHONE, OTHER):
        intake.request_code(svc, person_case, number, "en")
        code = sms.last_code()
        for _ in range(otp.MAX_FAILURES):
            last = refusal(lambda code=code: intake.verify_code(svc, person_case, wrong(code)))
        clock.advance(seconds=31)
    assert last.code == "verification_locked"
    assert status_of(svc, person_case) == "submitted"
    with svc.sessions() as session:
        events = session.scalars(select(WebhookEvent.event_type).order_by(WebhookEvent.id))
        assert list(events)[-1] == "case.submitted"
        assert "sms.guess_budget_exhausted" in session.scalars(select(AuditEvent.action)).all()
    assert refusal(lambda: intake.request_code(svc, person_case, PHONE, "en")).code == \
        "conflict"  # the case is no longer the person's


def test_steps_are_refused_out_of_order(svc, person_case):
    refused = refusal(lambda: intake.choose_document_type(svc, person_case, "passport"))
    assert (refused.code, refused.extra) == ("step_out_of_order", {"missing_step": "phone"})


def walk_to_photos(svc, sms, case_id: str) -> None:
    intake.request_code(svc, case_id, PHONE, "en")
    intake.verify_code(svc, case_id, sms.last_code())
    intake.give_location(svc, case_id, {"latitude": 46.5, "longitude": 6.6}, "CH")
    intake.choose_document_type(svc, case_id, "passport")


def upload(svc, case_id: str, slot: str, status: str = "pass"):
    now = svc.now()
    case = intake.prepare_upload(svc, intake.check_upload(svc, case_id, slot), now)
    key = svc.vault().put_blob(case, f"upload-{slot}", b"jpeg")
    stored, _case = intake.record_upload(svc, case_id, slot, photo(), key,
                                         case.wrapped_data_key, now)
    with svc.transaction() as session:
        session.merge(stored).status = status


def test_submit_names_what_is_missing_then_hands_the_case_to_review(svc, sms, person_case):
    walk_to_photos(svc, sms, person_case)
    upload(svc, person_case, "passport_page")
    refused = refusal(lambda: intake.submit(svc, person_case))
    assert (refused.code, refused.extra["missing"]) == ("incomplete", ["photo:selfie"])
    upload(svc, person_case, "selfie")
    assert intake.submit(svc, person_case) == []
    with svc.sessions() as session:
        case = session.get(Case, person_case)
    assert (case.status, case.submitted_at) == ("submitted", svc.now())
    assert case.purge_due_at is not None  # the first personal data started the 72 hours
