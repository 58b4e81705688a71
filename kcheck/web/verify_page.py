"""GET /verify (the page the verification link opens), its assets, and the desktop handoff QR.

The page is static: every step talks to the intake API (/v1/session...) from the browser, so
the server keeps no state of its own here and the API stays the one source of truth.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_from_directory
from sqlalchemy import select

from kcheck import crypto, links
from kcheck.domain import cases as domain
from kcheck.models import Case
from kcheck.problems import Problem
from kcheck.rate_limits import client_ip, configured, limiter, link_key
from kcheck.schemas import SessionOpen, parse_body
from kcheck.services import services

HERE = Path(__file__).parent
LANGS = ("en", "fr", "de", "it")
ASSETS = ("verify.css", "verify.js")  # entry points; the modules they import revalidate by ETag
YEAR = 365 * 24 * 3600

bp = Blueprint("verify_page", __name__, template_folder="templates",
               static_folder="static", static_url_path="/verify/static")


@functools.cache
def asset_versions() -> dict[str, str]:
    """Content hashes for cache-busting: an asset URL changes whenever its bytes do."""
    return {name: hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:12]
            for name in ASSETS}


@functools.cache
def catalogue(lang: str) -> bytes:
    data = json.loads((HERE / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@bp.get("/verify")
def page():
    lang = request.accept_languages.best_match(LANGS, default="en") or "en"
    html = render_template("verify/index.html", lang=lang, versions=asset_versions(),
                           i18n_version=_i18n_version())
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@functools.cache
def _i18n_version() -> str:
    digest = hashlib.sha256()
    for lang in LANGS:
        digest.update(catalogue(lang))
    return digest.hexdigest()[:12]


@bp.get("/verify/i18n/<lang>.json")
def strings(lang: str):
    if lang not in LANGS:
        abort(404)
    response = Response(catalogue(lang), mimetype="application/json")
    _cache_if_versioned(response)
    return response


@bp.after_request
def long_cache_for_versioned_assets(response: Response) -> Response:
    if request.path.startswith("/verify/static/"):
        _cache_if_versioned(response)
    return response


def _cache_if_versioned(response: Response) -> None:
    if request.args.get("v") and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every page: a small icon, not a 404 in every console."""
    return send_from_directory(HERE / "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=YEAR)


@bp.post("/verify/handoff-qr")
@limiter.limit(configured("session_open_per_link"), key_func=link_key)
@limiter.limit(configured("session_open_per_address"), key_func=client_ip)
def handoff_qr():
    """The QR code of this very link, for continuing on a phone.

    The token comes in the body (never in a URL), and only a link that can still be opened
    gets a code, so this is no general QR generator and says nothing a wrong token could use.
    """
    import segno

    body = parse_body(SessionOpen)
    svc = services()
    now = svc.now()
    with svc.sessions() as session:
        case = session.scalar(select(Case).where(
            Case.token_hash == crypto.token_digest(body.token)))
        if case is None or not domain.link_usable(case, now):
            raise Problem("link_invalid")
    out = io.BytesIO()
    segno.make(links.verification_url(svc.settings.public_url, body.token), error="m").save(
        out, kind="png", scale=6, border=2)
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
