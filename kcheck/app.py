"""Application factory: builds the Flask app and wires every subsystem through its init function."""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from pathlib import Path

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from kcheck.logs import configure_logging, request_id_var
from kcheck.services import Services
from kcheck.settings import Settings

log = logging.getLogger("kcheck.http")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    from kcheck.api.photos import MAX_BODY

    settings = settings or (services.settings if services else Settings.load())
    configure_logging(settings.log_format, settings.log_level)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_NAME="__Host-kcheck" if settings.secure_cookies else "kcheck",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["kcheck"] = services or Services.from_settings(settings)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies, x_host=settings.trusted_proxies)
    _init_request_logging(app)
    _init_security_headers(app, settings)
    _init_errors(app)

    from kcheck import ops, rate_limits, review_ui
    from kcheck.api import intake, openapi, partner, photos  # noqa: F401 (routes)
    from kcheck.web import verify_page

    rate_limits.init_app(app, settings)
    photos.init_app(app, settings)
    for blueprint in (ops.bp, partner.bp, intake.bp, openapi.bp, verify_page.bp):
        app.register_blueprint(blueprint)
    review_ui.init_app(app)
    return app


def warm_up(app: Flask) -> None:
    """Build the reverse-geocoding index (seconds of CPU) and compile every page template
    (the review case page alone takes about 0.4 s) now, rather than in the first requests of
    each process; `kcheck serve` calls it before gunicorn forks, so workers share both."""
    import reverse_geocode

    reverse_geocode.get((46.52, 6.63))
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


def _init_request_logging(app: Flask) -> None:
    @app.before_request
    def start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        request_id_var.set(g.request_id)

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # Only the route's rule is logged: paths carry ids, never query strings or fragments.
        rule = request.url_rule.rule if request.url_rule else "<unmatched>"
        log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed,
                 extra={"method": request.method, "route": rule,
                        "status": response.status_code, "ms": round(elapsed, 1)})
        return response


def _init_security_headers(app: Flask, settings: Settings) -> None:
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
           "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
           "form-action 'self'; object-src 'none'")

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Permissions-Policy",
                                    "camera=(self), geolocation=(self), microphone=()")
        if settings.secure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.path.startswith(("/v1/", "/review")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _where(exc: Exception) -> str:
    """Where an error happened, without its message: messages may quote the data being handled."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return " < ".join(f"{f.name} ({Path(f.filename).name}:{f.lineno})" for f in reversed(frames))


def _init_errors(app: Flask) -> None:
    from kcheck.problems import (
        Problem,
        http_exception_as_problem,
        problem_response,
        refusal_as_problem,
        wants_problem,
    )
    from kcheck.usecases import Refused

    @app.errorhandler(Problem)
    def on_problem(exc: Problem):
        return problem_response(exc)

    @app.errorhandler(Refused)
    def on_refused(exc: Refused):
        return problem_response(refusal_as_problem(exc))

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException):
        if wants_problem():
            return http_exception_as_problem(exc)
        return exc

    @app.errorhandler(Exception)
    def on_error(exc: Exception):
        from sqlalchemy.exc import OperationalError

        from kcheck.adapters.queue import QueueUnavailable
        from kcheck.adapters.storage import StorageError

        if isinstance(exc, StorageError | QueueUnavailable | OperationalError):
            log.warning("dependency unavailable: %s", type(exc).__name__)
            return problem_response(Problem("service_unavailable", headers={"Retry-After": "5"}))
        log.error("unhandled error %s at %s", type(exc).__name__, _where(exc))
        return problem_response(Problem("internal_error"))
