"""Staff login, server-side sessions, CSRF tokens and role checks for the review blueprint."""

from __future__ import annotations

import hashlib
import hmac
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from kcheck import audit, crypto, staff
from kcheck.rate_limits import client_ip, configured, limiter
from kcheck.review_ui import i18n, labels
from kcheck.review_ui.blueprint import bp
from kcheck.services import services

PUBLIC_ENDPOINTS = ("review.login", "review.static")
# What a first sign-in session may reach before the enrolment is complete.
SETUP_ENDPOINTS = ("review.setup", "review.logout", "review.language")
LOGIN_COOKIE_TTL = 3600


def cookie_name(kind: str = "staff") -> str:
    # __Host- requires Secure; over plain http (development only) the prefix is dropped.
    base = f"kcheck-{kind}"
    return f"__Host-{base}" if services().settings.secure_cookies else base


def csrf_token() -> str:
    """A token bound to the current session (or to the pre-login cookie on the login page)."""
    binding = g.get("staff_token") or g.get("login_nonce") or ""
    key = services().settings.secret_key.encode()
    return hmac.new(key, f"review-csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def _same_origin() -> bool:
    """Browsers say where a form came from; a cross-site form is refused before the token."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:  # set by the browser itself; pages cannot forge it
        return site in ("same-origin", "none")
    # Older browsers: Origin, which is "null" under our no-referrer policy; the token decides.
    origin = request.headers.get("Origin")
    return origin in (None, "null") or urlsplit(origin).netloc == request.host


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get("csrf_token", "")
    if not _same_origin() or not sent or not crypto.same(sent, csrf_token()):
        abort(400, description="csrf")


def set_cookie(response, kind: str, value: str, max_age: int) -> None:
    response.set_cookie(cookie_name(kind), value, max_age=max_age, path="/",
                        secure=services().settings.secure_cookies, httponly=True,
                        samesite="Strict")


@bp.before_request
def authenticate():
    g.login_nonce = request.cookies.get(cookie_name("login"), "")
    if request.endpoint in PUBLIC_ENDPOINTS:
        _check_csrf()
        return None
    svc = services()
    token = request.cookies.get(cookie_name(), "")
    with svc.transaction() as session:
        found = staff.resume_session(session, token, svc.now())
    if found is None:
        if request.method == "GET":
            return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("review.login"))
    g.staff_session, g.staff = found
    g.staff_token = token
    _check_csrf()
    if staff.needs_setup(g.staff) and request.endpoint not in SETUP_ENDPOINTS:
        return redirect(url_for("review.setup"))
    return None


@bp.context_processor
def template_helpers():
    zone = services().settings.calendar.timezone
    texts = i18n.page_texts()
    return {"_": texts.gettext, "ngettext": texts.ngettext, "csrf_token": csrf_token,
            "staff": g.get("staff"), "locale": texts.locale,
            "languages": i18n.LANGUAGE_NAMES, "when": lambda m: texts.when(m, zone),
            "duration": i18n.duration, "percent": texts.percent,
            "label": lambda kind, code, **values: _label(texts, kind, code, **values)}


@bp.errorhandler(HTTPException)
def error_page(exc: HTTPException):
    headers = {}
    if exc.code == 429:
        headers["Retry-After"] = str(g.get("rate_limit_retry_after", 60))
    return render_template("review/error.html", code=exc.code,
                           csrf_failed=exc.description == "csrf"), exc.code, headers


def _label(texts: i18n.Texts, kind: str, code: str | None, **values) -> str:
    if code is None:
        return ""
    known = labels.all_labels()[kind].get(code)
    return texts.gettext(known, **values) if known else labels.unknown(code)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.staff.role != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None) -> str:
    if target and target.startswith("/review/") and not target.startswith("//"):
        return target
    return url_for("review.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured("staff_login_per_address"), key_func=client_ip, methods=["POST"])
def login():
    svc = services()
    error = None
    if request.method == "POST":
        now = svc.now()
        with svc.transaction() as session:
            result = staff.authenticate(session, request.form.get("email", ""),
                                        request.form.get("password", ""),
                                        request.form.get("code", ""), now,
                                        svc.settings.master_key)
            actor = result.staff.id if result.staff else None
            if result.ok:
                # A new session id at every login; any session this browser had ends now.
                staff.revoke(session, request.cookies.get(cookie_name(), ""), now)
                token = staff.open_session(session, result.staff, now)
                audit.record(session, now, "staff", actor, "staff.login")
            else:
                audit.record(session, now, "staff", actor, "staff.login_failed",
                             locked=result.staff is not None and result.staff.locked_until
                             is not None and result.staff.locked_until > now)
        if result.ok:
            target = (url_for("review.setup") if staff.needs_setup(result.staff)
                      else safe_next(request.args.get("next")))
            response = redirect(target)
            set_cookie(response, "staff", token, int(staff.ABSOLUTE_TIMEOUT.total_seconds()))
            response.delete_cookie(cookie_name("login"), path="/",
                                   secure=svc.settings.secure_cookies, samesite="Strict")
            return response
        error = "locked" if result.outcome == "locked" else "invalid"
    fresh = not g.login_nonce
    if fresh:
        g.login_nonce = crypto.random_token(16)
    response = make_response(render_template("review/login.html", error=error),
                             401 if error else 200)
    if fresh:
        set_cookie(response, "login", g.login_nonce, LOGIN_COOKIE_TTL)
    return response


@bp.post("/logout")
def logout():
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        staff.revoke(session, g.staff_token, now)
        audit.record(session, now, "staff", g.staff.id, "staff.logout")
    response = redirect(url_for("review.login"))
    response.delete_cookie(cookie_name(), path="/", secure=svc.settings.secure_cookies,
                           samesite="Strict")
    return response


@bp.post("/language")
def language():
    from kcheck.models import StaffUser

    chosen = request.form.get("locale", "")
    if chosen not in i18n.LOCALES:
        abort(400)
    svc = services()
    with svc.transaction() as session:
        session.get(StaffUser, g.staff.id).locale = chosen
    return redirect(safe_next(request.form.get("next")), code=303)
