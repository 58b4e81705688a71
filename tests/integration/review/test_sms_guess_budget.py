"""The SMS-code guess budget holds for the case's whole life: new numbers and resent links
add no guesses, and the case goes to staff, who see why, once it is spent."""

from __future__ import annotations

from sqlalchemy import select

from kcheck.domain import otp
from kcheck.models import AuditEvent, WebhookEvent
from tests.conftest import outbox_code
from tests.integration.review.conftest import case_row


def wrong_guesses(person, settings, clock, phone: str, count: int) -> list:
    clock.advance(seconds=31)
    assert person.request_code(phone).status_code == 202
    code = outbox_code(settings)
    wrong = "000000" if code != "000000" else "111111"
    return [person.verify(wrong) for _ in range(count)]


def test_new_numbers_and_resends_add_no_guesses_and_staff_see_why(
        partner, person_for, reviewer, svc, settings, clock):
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    assert person.open().status_code == 201
    answers = wrong_guesses(person, settings, clock, "+41 79 123 45 61", 4)
    answers += wrong_guesses(person, settings, clock, "+41 79 123 45 62", 4)
    resent = partner.post(f"/v1/cases/{case['id']}/resend").get_json()
    person = person_for(resent["verification_url"])
    assert person.open().status_code == 201
    answers += wrong_guesses(person, settings, clock, "+41 79 123 45 63", 2)
    assert [a.status_code for a in answers] == [400] * 9 + [403]
    assert [a.get_json().get("attempts_left") for a in answers[:9]] == [4, 3, 2, 1, 4, 3, 2, 1, 1]
    assert answers[-1].get_json()["code"] == "verification_locked"
    assert len(answers) == otp.MAX_FAILED_GUESSES_PER_CASE
    # A second resend gives the person no new guesses either.
    assert partner.post(f"/v1/cases/{case['id']}/resend").status_code == 409
    assert case_row(svc, case["id"]).status == "submitted"
    with svc.sessions() as session:
        assert "sms.guess_budget_exhausted" in session.scalars(select(AuditEvent.action).where(
            AuditEvent.case_id == case["id"])).all()
        submitted = session.scalar(select(WebhookEvent.payload).where(
            WebhookEvent.case_id == case["id"], WebhookEvent.event_type == "case.submitted"))
    assert submitted["data"]["cause"] == "sms_guess_budget_exhausted"
    assert case["id"][:8] in reviewer.get("/review/").get_data(as_text=True)
    page = reviewer.get(f"/review/cases/{case['id']}").get_data(as_text=True)
    assert "Too many wrong SMS codes: sent for review" in page
