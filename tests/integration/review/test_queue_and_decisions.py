"""A reviewer's day through the Flask test client: queue, case page, photos, decisions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kcheck.models import AuditEvent, Decision, WebhookEvent
from tests import images
from tests.integration.review.conftest import case_row


def audit_actions(svc, case_id: str) -> list[str]:
    with svc.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.case_id == case_id).order_by(AuditEvent.id)))


def test_queue_lists_waiting_cases_most_urgent_first(reviewer, submitted_case, svc, clock):
    later = submitted_case(reason="order_unblock")
    clock.advance(minutes=1)
    first = submitted_case(reason="password_reset", retake_slot="selfie")
    with svc.transaction() as session:  # the first one was submitted earlier
        case_row_first = session.get(type(case_row(svc, first)), first)
        case_row_first.submitted_at = svc.now() - timedelta(minutes=90)
    page = reviewer.get("/review/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.index(first[:8]) < html.index(later[:8])
    assert "Password reset" in html and "Blocked order" in html
    assert "0 h 30 min" in html  # 120 business minutes minus 90 waited
    assert "Blurry" in html and "Flagged:" in html
    filtered = reviewer.get("/review/?reason=order_unblock").get_data(as_text=True)
    assert later[:8] in filtered and first[:8] not in filtered


def test_case_page_shows_what_the_decision_needs_and_audits_the_view(reviewer, submitted_case,
                                                                      svc):
    case_id = submitted_case(retake_slot="id_back")
    page = reviewer.get(f"/review/cases/{case_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "+41 79 *** ** 67" in html and "123 45" not in html
    assert "Anna Muster" in html
    assert "CH · 46.51970, 6.63230" in html and "accuracy 12 m" in html
    assert "ID card" in html and "Back of the ID card" in html and "Blurry" in html
    assert "flagged at submission" in html
    assert "case.viewed" in audit_actions(svc, case_id)
    # The document assists have not run yet and say so rather than "ok".
    assert "Document checks" in html and "not run: no consent" in html
    assert "not_compared" not in html and "case.viewed" not in html


def test_photos_are_served_only_through_the_authenticated_endpoint(reviewer, submitted_case,
                                                                   svc, app):
    case_id = submitted_case()
    page = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    import re

    paths = re.findall(r'src="(/review/cases/[^"]+/photos/[^"]+)"', page)
    assert len(paths) == 3  # three thumbnails; the annotated previews open in the zoom
    front = re.search(r'src="([^"]+)" alt="Photo: Front of the ID card"', page).group(1)
    preview = re.search(r'data-preview="([^"]+)" data-title="Front of the ID card"',
                        page).group(1)
    photo = reviewer.client.get(front)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.data == images.plain_jpeg(seed=0)  # the stored photo, decrypted
    assert reviewer.client.get(preview).data == images.plain_jpeg(320, 240, seed=10)
    assert photo.headers["Cache-Control"] == "no-store"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Disposition"] == "inline"
    assert "photo.viewed" in audit_actions(svc, case_id)
    stranger = app.test_client().get(front)
    assert stranger.status_code == 302 and "/review/login" in stranger.headers["Location"]
    assert reviewer.client.get(paths[0].replace(case_id, "0" * 36)).status_code == 404


def test_claim_is_a_lock_that_lapses_after_15_minutes(reviewer_for, submitted_case, svc, clock):
    case_id = submitted_case()
    anna = reviewer_for("anna@example.test")
    ben = reviewer_for("ben@example.test")
    anna.get("/review/")
    assert anna.submit(f"/review/cases/{case_id}/claim").status_code == 303
    assert case_row(svc, case_id).status == "in_review"
    assert case_row(svc, case_id).claimed_by == anna.id
    ben.get("/review/")
    refused = ben.submit(f"/review/cases/{case_id}/claim")
    assert "claim_taken" in refused.headers["Location"]
    assert case_row(svc, case_id).claimed_by == anna.id
    assert "anna@example.test" in ben.get(f"/review/cases/{case_id}").get_data(as_text=True)
    clock.advance(minutes=16)
    ben.get("/review/")
    assert "claimed" in ben.submit(f"/review/cases/{case_id}/claim").headers["Location"]
    assert case_row(svc, case_id).claimed_by == ben.id


def test_admin_releases_someone_elses_claim_a_reviewer_cannot(reviewer_for, submitted_case, svc):
    case_id = submitted_case()
    anna = reviewer_for("anna@example.test")
    ben = reviewer_for("ben@example.test")
    boss = reviewer_for("boss@example.test", role="admin")
    anna.get("/review/")
    anna.submit(f"/review/cases/{case_id}/claim")
    ben.get(f"/review/cases/{case_id}")
    assert ben.submit(f"/review/cases/{case_id}/release").status_code == 403
    boss.get(f"/review/cases/{case_id}")
    assert boss.submit(f"/review/cases/{case_id}/release").status_code == 303
    row = case_row(svc, case_id)
    assert row.claimed_by is None and row.status == "submitted"


def decide(member, case_id: str, **form):
    member.get(f"/review/cases/{case_id}")
    version = str(case_row(member.client.application.extensions["kcheck"], case_id).version)
    return member.submit(f"/review/cases/{case_id}/decision", {"version": version, **form})


def test_approve_records_the_decision_tells_the_requester_and_schedules_the_purge(
        reviewer, submitted_case, svc, clock):
    case_id = submitted_case()
    response = decide(reviewer, case_id, outcome="approved", reason_code="identity_confirmed")
    assert response.status_code == 303
    row = case_row(svc, case_id)
    assert (row.status, row.outcome, row.reason_code) == ("approved", "approved",
                                                          "identity_confirmed")
    assert row.reviewer_id == reviewer.id and row.decided_at == clock.now()
    assert row.purge_due_at == clock.now() + timedelta(seconds=svc.settings.purge_grace_seconds)
    with svc.sessions() as session:
        events = list(session.scalars(select(WebhookEvent.event_type)
                                      .where(WebhookEvent.case_id == case_id)))
        decision = session.scalar(select(Decision).where(Decision.case_id == case_id))
    assert "case.approved" in events
    assert decision.case_submitted_at == clock.now() - timedelta(minutes=10)
    assert "case.decided" in audit_actions(svc, case_id)
    queue = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert "The case was approved." in queue and case_id[:8] not in queue


def test_a_decision_without_a_reason_is_refused(reviewer, submitted_case, svc):
    case_id = submitted_case()
    response = decide(reviewer, case_id, outcome="rejected", reason_code="", note="looks odd")
    assert response.status_code == 422
    assert "a decision without a reason is refused" in response.get_data(as_text=True)
    assert case_row(svc, case_id).status == "submitted"
    other = decide(reviewer, case_id, outcome="rejected", reason_code="other", note="")
    assert other.status_code == 422 and case_row(svc, case_id).status == "submitted"


def test_reject_with_a_reason_code_and_note(reviewer, submitted_case, svc):
    case_id = submitted_case()
    response = decide(reviewer, case_id, outcome="rejected", reason_code="face_mismatch",
                      note="selfie is another person")
    assert response.status_code == 303
    row = case_row(svc, case_id)
    assert (row.status, row.reason_code) == ("rejected", "face_mismatch")
    with svc.sessions() as session:
        details = session.scalars(select(AuditEvent.details).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "case.decided")).one()
    assert details["reason_code"] == "face_mismatch" and "note" not in details


def test_second_decision_loses_with_a_clear_conflict_message(reviewer_for, submitted_case, svc):
    case_id = submitted_case()
    anna = reviewer_for("anna@example.test")
    ben = reviewer_for("ben@example.test")
    version = str(case_row(svc, case_id).version)
    anna.get(f"/review/cases/{case_id}")
    ben.get(f"/review/cases/{case_id}")  # both have the case open at the same version
    assert anna.submit(f"/review/cases/{case_id}/decision", {
        "version": version, "outcome": "approved",
        "reason_code": "identity_confirmed"}).status_code == 303
    late = ben.submit(f"/review/cases/{case_id}/decision", {
        "version": version, "outcome": "rejected", "reason_code": "suspected_fraud"})
    assert late.status_code == 409
    assert "Another reviewer decided this case first (Approved)" in late.get_data(as_text=True)
    row = case_row(svc, case_id)
    assert (row.status, row.reviewer_id) == ("approved", anna.id)
    with svc.sessions() as session:
        assert len(session.scalars(select(Decision).where(Decision.case_id == case_id)).all()) == 1


def test_a_decision_on_a_case_someone_else_claimed_is_refused(reviewer_for, submitted_case, svc):
    case_id = submitted_case()
    anna = reviewer_for("anna@example.test")
    ben = reviewer_for("ben@example.test")
    anna.get("/review/")
    anna.submit(f"/review/cases/{case_id}/claim")
    response = decide(ben, case_id, outcome="approved", reason_code="identity_confirmed")
    assert response.status_code == 409
    assert "holds this case" in response.get_data(as_text=True)
    assert case_row(svc, case_id).status == "in_review"


def test_request_new_photos_reopens_the_case_for_the_person(reviewer, submitted_case, svc):
    case_id = submitted_case(retake_slot="selfie")
    response = decide(reviewer, case_id, outcome="resubmission_requested",
                      reason_code="selfie_without_document", slots=["selfie"],
                      message="Please hold your ID card next to your face.")
    assert response.status_code == 303
    row = case_row(svc, case_id)
    assert row.status == "resubmission_requested" and row.resubmission_slots == ["selfie"]
    assert row.outcome is None and row.decided_at is None
    assert row.purge_due_at == row.data_received_at + timedelta(hours=72)  # no early purge
    assert b"Please hold" not in (row.resubmission_message or b"")  # sealed
    with svc.sessions() as session:
        event = session.scalar(select(WebhookEvent).where(
            WebhookEvent.case_id == case_id,
            WebhookEvent.event_type == "case.resubmission_requested"))
    assert event.payload["data"]["resubmission_slots"] == ["selfie"]


def test_request_new_photos_needs_slots_and_a_message(reviewer, submitted_case, svc):
    case_id = submitted_case()
    no_slot = decide(reviewer, case_id, outcome="resubmission_requested",
                     reason_code="glare_or_blur", message="Again please")
    assert no_slot.status_code == 422
    no_message = decide(reviewer, case_id, outcome="resubmission_requested",
                        reason_code="glare_or_blur", slots=["id_front"], message=" ")
    assert no_message.status_code == 422
    assert case_row(svc, case_id).status == "submitted"


def test_purged_case_says_so_and_serves_no_photo(reviewer, submitted_case, svc):
    case_id = submitted_case()
    with svc.transaction() as session:
        row = session.get(type(case_row(svc, case_id)), case_id)
        row.wrapped_data_key = row.phone = row.location = row.expected_name = None
        row.data_purged_at = svc.now()
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "The personal data of this case was deleted" in html
    assert "/photos/" not in html


def test_french_for_a_staff_member_who_prefers_it(reviewer, submitted_case):
    case_id = submitted_case()
    reviewer.get("/review/")
    switched = reviewer.submit("/review/language", {"locale": "fr", "next": "/review/"})
    assert switched.status_code == 303
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Approuver" in html and "Demander de nouvelles photos" in html


def test_the_decision_note_is_personal_data_purged_and_shown_as_deleted(reviewer, submitted_case,
                                                                       svc, clock):
    from kcheck import retention

    case_id = submitted_case()
    assert decide(reviewer, case_id, outcome="rejected", reason_code="name_mismatch",
                  note="Holder says she is Marie Curie").status_code == 303
    clock.advance(seconds=svc.settings.purge_grace_seconds)
    assert retention.purge_due_cases(svc, clock.now()).cases == 1
    with svc.sessions() as session:
        assert session.scalar(select(Decision.note).where(Decision.case_id == case_id)) is None
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "Marie Curie" not in html
    assert "Deleted with the personal data." in html
