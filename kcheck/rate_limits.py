"""Request rate limits on Redis (Flask-Limiter), shared by the API, the verify page and the
review UI: a 429 with Retry-After, as a problem document for the API and as a page for HTML."""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RequestLimit

from kcheck import crypto
from kcheck.problems import Problem, problem_response, wants_problem


def client_ip() -> str:
    """The rate-limit key of the client's address: a keyed digest, so Redis never holds IP
    addresses (personal data). ProxyFix (TRUSTED_PROXIES) has already put the client's
    address in remote_addr when the app runs behind proxies."""
    address = request.remote_addr or "unknown"
    return "ip:" + crypto.keyed_digest(current_app.config["SECRET_KEY"], address, "ip")[:24]


def link_key() -> str:
    """The link token a session is opened with, as a digest (the token itself is a
    credential and never goes to Redis); the address when the body has no token."""
    body = request.get_json(silent=True)
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return client_ip()
    return "link:" + crypto.keyed_digest(current_app.config["SECRET_KEY"], token, "link")[:24]


def configured(name: str):
    """The limit named in settings.rate_limits, read per request (so tests and operators
    can change it without touching code)."""
    return lambda: getattr(current_app.extensions["kcheck"].settings.rate_limits, name)


def api_client_key() -> str:
    client = g.get("api_client")
    return f"key:{client.id}" if client else client_ip()


def mobile_session_key() -> str:
    session = g.get("mobile_session")
    return f"session:{session.id}" if session else client_ip()


def _on_breach(limit: RequestLimit):
    retry = max(1, int(limit.reset_at - time.time()))
    if wants_problem():
        return problem_response(Problem("rate_limited", headers={"Retry-After": str(retry)}))
    # An HTML page: Flask-Limiter raises its 429 and the page's own error handler renders it.
    g.rate_limit_retry_after = retry
    return None


# Limits fail open when Redis is down (swallow_errors): the steps that matter most also have
# database-backed limits (SMS per case and per number) that cannot be bypassed that way.
limiter = Limiter(key_func=client_ip, headers_enabled=False, swallow_errors=True,
                  strategy="moving-window", key_prefix="kcheck-rl", on_breach=_on_breach)


def init_app(app: Flask, settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 2}
    limiter.init_app(app)
