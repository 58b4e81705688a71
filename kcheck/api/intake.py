"""Intake API for the person's mobile client: open a session from the link, then each step."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

import phonenumbers
from flask import Blueprint, g, jsonify
from sqlalchemy import select

from kcheck import crypto
from kcheck.api.present import session_view
from kcheck.domain import cases as domain
from kcheck.domain import otp
from kcheck.models import MobileSession
from kcheck.problems import Problem, bearer_token, negotiate_language, unauthorized
from kcheck.rate_limits import client_ip, configured, limiter, link_key, mobile_session_key
from kcheck.schemas import (
    CodeSubmit,
    ConsentSubmit,
    DocumentTypeSubmit,
    LocationSubmit,
    PhoneSubmit,
    SessionOpen,
    parse_body,
)
from kcheck.services import services
from kcheck.usecases import intake

bp = Blueprint("intake", __name__, url_prefix="/v1")
MAX_CAPTURE_AGE = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=1)


def mobile_session(open_only: bool = True, reads: bool = False):
    """Authenticate the session token; steps also need a case still open to the person.
    A view that only `reads` gets the case and its current photos loaded with the token, in
    one query (`read_state`): the person's client polls such views."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            digest = crypto.token_digest(bearer_token())
            svc = services()
            with svc.sessions() as session:
                if reads:
                    mobile, g.session_case, g.session_photos = intake.session_state(
                        session, digest)
                else:
                    mobile = session.scalar(select(MobileSession).where(
                        MobileSession.token_hash == digest))
            now = svc.now()
            if mobile is None or mobile.revoked_at or mobile.expires_at <= now:
                raise unauthorized()
            g.mobile_session = mobile
            g.open_only = open_only
            if reads and open_only:
                intake.require_open(g.session_case)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def session_case_id() -> str:
    return g.mobile_session.case_id


def load_case(session, for_update: bool = True):
    return intake.load_case(session, session_case_id(), bool(g.get("open_only")), for_update)


def read_state():
    """The case and its current photos of a view that `reads` (see mobile_session)."""
    return g.session_case, g.session_photos


@bp.post("/sessions")
@limiter.limit(configured("session_open_per_link"), key_func=link_key)
@limiter.limit(configured("session_open_per_address"), key_func=client_ip)
def open_session():
    body = parse_body(SessionOpen)
    svc = services()
    opened = intake.open_session(svc, body.token)
    view = session_view(svc, opened.case, opened.photos)
    return jsonify({"session_token": opened.token,
                    "expires_at": opened.session.expires_at.isoformat(),
                    "case": view, "next_step": view["next_step"]}), 201


@bp.get("/session")
@mobile_session(open_only=False, reads=True)
def get_session():
    return jsonify(session_view(services(), *read_state()))


@bp.post("/session/consent")
@mobile_session()
def give_consent():
    body = parse_body(ConsentSubmit)
    intake.give_consent(services(), session_case_id(), body.biometric)
    return jsonify({"terms": True, "biometric": body.biometric})


def _parse_mobile(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw.strip(), None)
    except phonenumbers.NumberParseException:
        raise Problem("invalid_phone") from None
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or \
            phonenumbers.number_type(number) not in mobile_types:
        raise Problem("invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@bp.post("/session/phone")
@mobile_session()
@limiter.limit(configured("sms_per_session"), key_func=mobile_session_key)
def request_code():
    body = parse_body(PhoneSubmit)
    e164 = _parse_mobile(body.phone_number)
    intake.request_code(services(), session_case_id(), e164, negotiate_language())
    return jsonify({"resend_after_s": int(otp.RESEND_AFTER.total_seconds()),
                    "expires_in_s": int(otp.CODE_TTL.total_seconds())}), 202


@bp.post("/session/phone/verify")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def verify_code():
    body = parse_body(CodeSubmit)
    svc = services()
    case, photos = intake.verify_code(svc, session_case_id(), body.code)
    return jsonify({"verified": True, "next_step": session_view(svc, case, photos)["next_step"]})


@bp.post("/session/location")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def give_location():
    import reverse_geocode

    body = parse_body(LocationSubmit)
    svc = services()
    now = svc.now()
    captured = body.captured_at
    if captured.tzinfo is None:
        raise Problem("location_invalid", detail="captured_at needs a time zone offset.")
    if captured > now + CLOCK_SKEW or captured < now - MAX_CAPTURE_AGE:
        raise Problem("location_invalid", detail="captured_at must be within the last 10 minutes.")
    country = reverse_geocode.get((body.latitude, body.longitude)).get("country_code")
    case, photos = intake.give_location(svc, session_case_id(), {
        "latitude": body.latitude, "longitude": body.longitude,
        "accuracy_m": body.accuracy_m, "captured_at": captured.isoformat()}, country)
    return jsonify({"country": country, "next_step": session_view(svc, case, photos)["next_step"]})


@bp.put("/session/document-type")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def choose_document_type():
    body = parse_body(DocumentTypeSubmit)
    intake.choose_document_type(services(), session_case_id(), body.type)
    return jsonify({"document_type": body.type,
                    "required_slots": list(domain.required_slots(body.type))})


@bp.post("/session/submit")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def submit():
    flagged = intake.submit(services(), session_case_id())
    return jsonify({"status": "submitted", "flagged_slots": flagged})
