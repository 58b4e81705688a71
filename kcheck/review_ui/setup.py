"""First sign-in: enrol the authenticator app from a QR code and replace the one-time password.

A first sign-in session (password only, before any TOTP enrolment) reaches nothing else: see
`auth.SETUP_ENDPOINTS`. When the setup is done the session is replaced by a new one.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from kcheck import audit, staff
from kcheck.models import StaffUser
from kcheck.review_ui.auth import set_cookie
from kcheck.review_ui.blueprint import bp
from kcheck.services import services


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    svc = services()
    if not staff.needs_setup(g.staff):
        return redirect(url_for("review.queue"))
    error = None
    if request.method == "POST":
        now = svc.now()
        with svc.transaction() as session:
            member = session.get(StaffUser, g.staff.id)
            error = staff.complete_setup(
                member, request.form.get("code", ""), request.form.get("password", ""),
                request.form.get("password_again", ""), now, svc.settings.master_key)
            if error is None:
                audit.record(session, now, "staff", member.id, "staff.setup_completed")
                # A new session id once the account is fully set up; the first one ends.
                staff.revoke(session, g.staff_token, now)
                token = staff.open_session(session, member, now)
        if error is None:
            response = redirect(url_for("review.queue", notice="setup_done"), code=303)
            set_cookie(response, "staff", token, int(staff.ABSOLUTE_TIMEOUT.total_seconds()))
            return response
    qr = None
    if g.staff.totp_enrolled_at is None:
        import segno

        uri = staff.totp_uri(g.staff, svc.settings.master_key)
        qr = {"image": segno.make(uri, error="m").png_data_uri(scale=5, border=2),
              "secret": uri.split("secret=", 1)[1].split("&", 1)[0]}
    return render_template("review/setup.html", qr=qr, error=error,
                           min_length=staff.MIN_PASSWORD), 400 if error else 200

