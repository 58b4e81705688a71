"""Partner API for requesting systems: open, read, resend, cancel a case; QR codes; events."""

from __future__ import annotations

import hashlib
import io
from functools import wraps

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kcheck import apikeys, links
from kcheck.adapters.egress import EgressPolicy, EgressRefused
from kcheck.domain import cases as domain
from kcheck.models import Case, WebhookEvent
from kcheck.problems import Problem, bearer_token, unauthorized
from kcheck.rate_limits import api_client_key, configured, limiter
from kcheck.schemas import CaseCreate, parse_body
from kcheck.services import services
from kcheck.usecases import partner as cases

bp = Blueprint("partner", __name__, url_prefix="/v1")
PARTNER_LIMIT = configured("partner_per_key")


def require_scope(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            presented = bearer_token()
            with services().sessions() as session:
                client = apikeys.authenticate(session, presented)
            if client is None:
                raise unauthorized()
            if scope not in client.scope_set():
                raise Problem("forbidden", detail=f"This key lacks the {scope} scope.")
            g.api_client = client
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _own_case(session, case_id: str, for_update: bool = False) -> Case:
    return cases.own_case(session, g.api_client.id, case_id, for_update)


def case_view(settings, case: Case, token: str | None = None) -> dict:
    base = f"{settings.public_url}/v1/cases/{case.id}"
    body = {
        "id": case.id,
        "status": case.status,
        "reason": case.reason,
        "subject_ref": case.subject_ref,
        "order_ref": case.order_ref,
        "locale": case.locale,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "expires_at": case.expires_at.isoformat(),
        "link_expires_at": case.token_expires_at.isoformat() if case.token_expires_at else None,
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "decision": ({"outcome": case.outcome, "reason_code": case.reason_code}
                     if case.outcome else None),
        "data_purged_at": case.data_purged_at.isoformat() if case.data_purged_at else None,
        "qr_png_url": f"{base}/qr.png",
        "qr_svg_url": f"{base}/qr.svg",
    }
    if token:
        body["verification_url"] = links.verification_url(settings.public_url, token)
    return body


def _fingerprint(body: CaseCreate) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


@bp.post("/cases")
@require_scope("cases:write")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def create_case():
    body = parse_body(CaseCreate)
    idem = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    svc = services()
    if body.callback_url:
        try:
            EgressPolicy.from_settings(svc.settings).check_url(str(body.callback_url))
        except EgressRefused:
            raise Problem("validation_failed", errors=[{
                "field": "callback_url", "message": "must be an https:// URL"}]) from None
    now = svc.now()
    try:
        with svc.transaction() as session:
            if idem:
                existing = session.scalar(select(Case).where(
                    Case.api_client_id == g.api_client.id, Case.idempotency_key == idem))
                if existing is not None:
                    return _replay(svc, existing, body)
            case, token = cases.open_case(svc, session, g.api_client.id, cases.NewCase(
                reason=body.reason, subject_ref=body.subject_ref, order_ref=body.order_ref,
                locale=body.locale,
                callback_url=str(body.callback_url) if body.callback_url else None,
                expected_name=body.expected_name, expires_in_days=body.expires_in_days,
                idempotency_key=idem, fingerprint=_fingerprint(body)), now)
            view = case_view(svc.settings, case, token)
    except IntegrityError:
        # Two requests with one Idempotency-Key raced: the other one won; answer as a replay.
        with svc.transaction() as session:
            existing = session.scalar(select(Case).where(
                Case.api_client_id == g.api_client.id, Case.idempotency_key == idem))
            if existing is None:
                raise
            return _replay(svc, existing, body)
    return jsonify(view), 201, {"Location": f"/v1/cases/{view['id']}"}


def _replay(svc, case: Case, body: CaseCreate):
    """Same Idempotency-Key: the same case. The token is not stored, so an unused link is
    re-issued (the client that retried never saw the first one); a used one is not repeated."""
    if case.request_fingerprint != _fingerprint(body):
        raise Problem("idempotency_mismatch")
    token = None
    if case.status == "created" and case.token_used_at is None:
        token = links.current_token(case, svc.settings.secret_key)
    return jsonify(case_view(svc.settings, case, token)), 201, {"Idempotent-Replayed": "true"}


@bp.get("/cases/<case_id>")
@require_scope("cases:read")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def get_case(case_id: str):
    svc = services()
    with svc.sessions() as session:
        return jsonify(case_view(svc.settings, _own_case(session, case_id)))


@bp.get("/cases/<case_id>/qr.<fmt>")
@require_scope("cases:read")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def case_qr(case_id: str, fmt: str):
    import segno

    if fmt not in ("png", "svg"):
        raise Problem("not_found")
    svc = services()
    with svc.sessions() as session:
        case = _own_case(session, case_id)
    if case.status not in domain.OPEN_FOR_PERSON or case.token_used_at is not None:
        raise Problem("conflict", detail="This case has no usable link; resend it first.")
    token = links.current_token(case, svc.settings.secret_key)
    qr = segno.make(links.verification_url(svc.settings.public_url, token), error="m")
    out = io.BytesIO()
    if fmt == "png":
        qr.save(out, kind="png", scale=8, border=4)
        mimetype = "image/png"
    else:
        qr.save(out, kind="svg", scale=8, border=4, xmldecl=True, svgns=True)
        mimetype = "image/svg+xml"
    return Response(out.getvalue(), mimetype=mimetype, headers={"Cache-Control": "no-store"})


@bp.post("/cases/<case_id>/resend")
@require_scope("cases:write")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def resend(case_id: str):
    """Issue a new link; the previous token and any session opened with it stop working."""
    svc = services()
    case, token = cases.resend(svc, g.api_client.id, case_id)
    return jsonify(case_view(svc.settings, case, token))


@bp.post("/cases/<case_id>/cancel")
@require_scope("cases:write")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def cancel(case_id: str):
    svc = services()
    return jsonify(case_view(svc.settings, cases.cancel(svc, g.api_client.id, case_id)))


@bp.get("/cases/<case_id>/events")
@require_scope("cases:read")
@limiter.limit(PARTNER_LIMIT, key_func=api_client_key)
def case_events(case_id: str):
    """Poll instead of (or as well as) receiving webhooks: the same thin payloads, in order."""
    with services().sessions() as session:
        _own_case(session, case_id)
        events = session.scalars(select(WebhookEvent).where(WebhookEvent.case_id == case_id)
                                 .order_by(WebhookEvent.id)).all()
        return jsonify({"events": [{"id": e.id, **e.payload, "delivery_status": e.status}
                                   for e in events]})
