"""Review UI safety: CSRF, session lifetime, roles, login throttling, TOTP replay, audit chain."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select, text

from kcheck.models import AuditEvent, StaffSession
from tests.integration.review.conftest import case_row


def test_cross_site_form_post_without_the_csrf_token_is_refused(reviewer, submitted_case, svc):
    case_id = submitted_case()
    version = str(case_row(svc, case_id).version)
    form = {"version": version, "outcome": "approved", "reason_code": "identity_confirmed"}
    forged = reviewer.client.post(f"/review/cases/{case_id}/decision", data=form, headers={
        "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 400
    assert "sent from another site" in forged.get_data(as_text=True)
    no_token = reviewer.client.post(f"/review/cases/{case_id}/decision", data=form)
    assert no_token.status_code == 400
    reviewer.get(f"/review/cases/{case_id}")  # a real token, but sent from another site
    cross = reviewer.submit(f"/review/cases/{case_id}/decision", form,
                            headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 400
    assert case_row(svc, case_id).status == "submitted"
    assert reviewer.submit(f"/review/cases/{case_id}/decision", form).status_code == 303


def test_no_state_changes_by_get(reviewer, submitted_case, svc):
    case_id = submitted_case()
    for path in (f"/review/cases/{case_id}/claim", f"/review/cases/{case_id}/decision",
                 f"/review/cases/{case_id}/release", "/review/logout", "/review/language"):
        assert reviewer.client.get(path).status_code == 405, path
    assert case_row(svc, case_id).status == "submitted"


def test_after_31_minutes_idle_the_reviewer_must_sign_in_again(reviewer, clock):
    assert reviewer.get("/review/").status_code == 200
    clock.advance(minutes=29)
    assert reviewer.get("/review/").status_code == 200  # activity keeps the session alive
    clock.advance(minutes=31)
    again = reviewer.get("/review/")
    assert again.status_code == 302 and "/review/login" in again.headers["Location"]
    clock.advance(minutes=1)
    assert reviewer.get("/review/").status_code == 302  # the expired session stays dead


def test_sessions_end_after_12_hours_even_when_active(reviewer, clock):
    for _ in range(24):
        clock.advance(minutes=29)
        assert reviewer.get("/review/stats").status_code == 200
    clock.advance(minutes=29)  # 12 h 05 min after the login
    assert reviewer.get("/review/stats").status_code == 302


def test_login_issues_a_new_session_id_and_a_strict_httponly_cookie(reviewer_for, svc):
    member = reviewer_for(login=False)
    member.get("/review/login")
    first = member.login()
    cookie = first.headers.getlist("Set-Cookie")
    staff_cookie = next(c for c in cookie if c.startswith("kcheck-staff="))
    assert "HttpOnly" in staff_cookie and "SameSite=Strict" in staff_cookie
    assert "Path=/" in staff_cookie
    token_1 = re.match(r"kcheck-staff=([^;]+)", staff_cookie).group(1)
    member.clock.advance(seconds=30)
    second = member.login()
    token_2 = re.search(r"kcheck-staff=([^;]+)", " ".join(second.headers.getlist("Set-Cookie")))
    assert token_2 and token_2.group(1) != token_1
    with svc.sessions() as session:
        rows = session.scalars(select(StaffSession).where(
            StaffSession.staff_id == member.id)).all()
    assert sorted(r.revoked_at is None for r in rows) == [False, True]  # the old one revoked


def test_secure_deployment_uses_a_host_prefixed_secure_cookie(make_app, settings, clock):
    from dataclasses import replace

    from kcheck import staff
    from tests.integration.review.conftest import Reviewer

    app = make_app(replace(settings, public_url="https://kcheck.example"))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:
        enrolment = staff.create(session, "r@example.test", "reviewer", svc.now(),
                                 svc.settings.master_key)
    member = Reviewer(app, clock, enrolment, base_url="https://kcheck.example")
    response = member.login()
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("__Host-kcheck-staff="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = member.get("/review/setup")  # a new account's first page: its own password
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_pages_carry_no_inline_script_or_style(reviewer, submitted_case):
    case_id = submitted_case()
    for path in ("/review/", f"/review/cases/{case_id}", "/review/stats", "/review/login"):
        html = reviewer.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "style=" not in html and "<style" not in html and "onclick" not in html, path


def test_a_reviewer_cannot_open_the_admin_pages(reviewer, reviewer_for):
    assert reviewer.get("/review/admin/audit").status_code == 403
    assert "Audit trail" not in reviewer.get("/review/").get_data(as_text=True)
    admin = reviewer_for("boss@example.test", role="admin")
    page = admin.get("/review/admin/audit")
    assert page.status_code == 200 and "staff.login" in page.get_data(as_text=True)


def test_five_failures_lock_the_account_for_15_minutes(reviewer_for, clock, svc):
    member = reviewer_for(login=False)
    for _ in range(5):
        refused = member.login(password="wrong password")
        assert refused.status_code == 401
        assert "password or authentication code is wrong" in refused.get_data(as_text=True)
    locked = member.login()  # the right password and code, during the lock
    assert locked.status_code == 401
    assert "locked for 15 minutes" in locked.get_data(as_text=True)
    clock.advance(minutes=16)
    assert member.login().status_code == 302
    with svc.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.actor_id == member.id)).all()
        details = session.scalars(select(AuditEvent.details)).all()
    assert actions.count("staff.login_failed") == 6 and actions[-1] == "staff.login"
    assert all(member.enrolment.email not in str(d) for d in details)


def test_unknown_account_gets_the_same_answer(reviewer_for, app):
    member = reviewer_for(login=False)
    member.enrolment = member.enrolment.__class__(
        member.id, "nobody@example.test", "reviewer", "x" * 20, member.enrolment.totp_secret)
    response = member.login()
    assert response.status_code == 401
    assert "password or authentication code is wrong" in response.get_data(as_text=True)


def test_a_totp_code_works_once(reviewer_for, clock):
    member = reviewer_for(login=False)
    code = member.code()
    assert member.login(code=code).status_code == 302
    from tests.integration.review.conftest import Reviewer

    thief = Reviewer(member.client.application, clock, member.enrolment)
    replay = thief.login(code=code)
    assert replay.status_code == 401
    clock.advance(seconds=30)
    assert thief.login(code=member.code()).status_code == 302  # the next code is fine
    assert thief.login(code=member.code(steps=-1)).status_code == 401  # an older one is not


def test_wrong_or_missing_totp_code_is_refused(reviewer_for, clock):
    member = reviewer_for(login=False)
    assert member.login(code="000000" if member.code() != "000000" else "111111"
                        ).status_code == 401
    assert member.login(code=member.code(steps=3)).status_code == 401  # far future
    assert member.login(code=member.code(steps=1)).status_code == 302  # one step of drift


def test_logout_revokes_the_session(reviewer):
    reviewer.get("/review/")
    assert reviewer.submit("/review/logout").status_code == 302
    assert reviewer.get("/review/").status_code == 302


def test_disabled_account_is_signed_out_at_once(reviewer, svc):
    from kcheck import staff

    with svc.transaction() as session:
        member = staff.find(session, reviewer.enrolment.email)
        staff.disable(session, member, svc.now())
    assert reviewer.get("/review/").status_code == 302
    assert reviewer.login().status_code == 401


def cli_env(settings) -> dict[str, str]:
    import base64

    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
            "STORAGE_PATH": str(settings.storage_path), "KCHECK_ENV": "test",
            "SMS_OUTBOX_PATH": str(settings.sms_outbox_path),
            "MASTER_KEY": base64.b64encode(settings.master_key).decode(),
            "SECRET_KEY": settings.secret_key}


def test_audit_verify_fails_on_a_tampered_row(reviewer, submitted_case, svc, settings):
    from kcheck.cli import main

    case_id = submitted_case()
    reviewer.get(f"/review/cases/{case_id}")
    runner = CliRunner()
    intact = runner.invoke(main, ["audit", "verify"], env=cli_env(settings))
    assert intact.exit_code == 0, intact.output
    with svc.transaction() as session:
        session.execute(text("UPDATE audit_events SET actor_id = 'someone-else' "
                             "WHERE action = 'case.viewed'"))
    tampered = runner.invoke(main, ["audit", "verify"], env=cli_env(settings))
    assert tampered.exit_code == 1
    assert "edited" in tampered.output


def test_admin_page_verifies_the_chain_and_shows_a_deleted_row(reviewer_for, svc):
    admin = reviewer_for("boss@example.test", role="admin")
    for _ in range(3):
        admin.login()  # a few more events to chain
        admin.clock.advance(seconds=30)
    assert "The audit trail is intact." in admin.get(
        "/review/admin/audit?verify=1").get_data(as_text=True)
    with svc.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE id = 2"))
    page = admin.get("/review/admin/audit?verify=1").get_data(as_text=True)
    assert "The audit trail was altered" in page and "missing (deleted rows)" in page


def test_ended_sessions_are_forgotten_by_the_periodic_job(reviewer, reviewer_for, clock, app, svc):
    from sqlalchemy import func, select

    from kcheck.models import StaffSession
    from kcheck.workers.runtime import serving
    from kcheck.workers.sweepers import forget_ended_staff_sessions

    reviewer_for("other@example.test")
    clock.advance(minutes=20)
    assert reviewer.get("/review/").status_code == 200  # this one stays active
    clock.advance(minutes=20)  # the other one is now idle for 40 minutes
    with serving(app.extensions["kcheck"]):
        assert forget_ended_staff_sessions() == 1
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 1
    assert reviewer.get("/review/").status_code == 200


def test_too_many_sign_ins_get_a_page_not_json(make_app, settings, clock, enrol):
    import dataclasses

    from kcheck.settings import RateLimits
    from tests.integration.review.conftest import Reviewer

    limited = dataclasses.replace(settings,
                                  rate_limits=RateLimits(staff_login_per_address="2/minute"))
    member = Reviewer(make_app(limited), clock, enrol())
    answers = [member.login(password="wrong").status_code for _ in range(3)]
    assert 429 not in answers[:2] and answers[2] == 429
    refused = member.submit("/review/login", {"email": "x@example.test", "password": "x",
                                              "code": "000000"})
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many attempts from this address" in refused.get_data(as_text=True)
