"""Intake API for the person's mobile client: open a session from the link, then each step."""

from __future__ import annotations

import math
from datetime import timedelta
from functools import wraps

import phonenumbers
from flask import Blueprint, g, jsonify
from sqlalchemy import func, select, update

from kcheck import audit, crypto
from kcheck.api.limits import client_ip, configured, limiter, link_key, mobile_session_key
from kcheck.api.problems import Problem, bearer_token, negotiate_language, unauthorized
from kcheck.api.schemas import (
    CodeSubmit,
    ConsentSubmit,
    DocumentTypeSubmit,
    LocationSubmit,
    PhoneSubmit,
    SessionOpen,
    parse_body,
)
from kcheck.domain import cases as domain
from kcheck.domain import otp
from kcheck.domain.retention import purge_due
from kcheck.events import emit
from kcheck.models import Case, MobileSession, Photo, SmsChallenge
from kcheck.services import services
from kcheck.vault import Vault

bp = Blueprint("intake", __name__, url_prefix="/v1")
SESSION_TTL = timedelta(hours=12)
MAX_CAPTURE_AGE = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=1)


def mobile_session(open_only: bool = True):
    """Authenticate the session token; steps also need a case still open to the person."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            digest = crypto.token_digest(bearer_token())
            svc = services()
            with svc.sessions() as session:
                mobile = session.scalar(select(MobileSession).where(
                    MobileSession.token_hash == digest))
            now = svc.now()
            if mobile is None or mobile.revoked_at or mobile.expires_at <= now:
                raise unauthorized()
            g.mobile_session = mobile
            g.open_only = open_only
            return view(*args, **kwargs)
        return wrapper
    return decorator


def load_case(session, for_update: bool = True) -> Case:
    query = select(Case).where(Case.id == g.mobile_session.case_id)
    case = session.scalar(query.with_for_update() if for_update else query)
    if g.get("open_only") and case.status not in domain.OPEN_FOR_PERSON:
        raise Problem("conflict", detail=f"This verification is {case.status}.",
                      case_status=case.status)
    return case


def current_photos(session, case_id: str) -> dict[str, Photo]:
    photos = session.scalars(select(Photo).where(Photo.case_id == case_id,
                                                 Photo.superseded_at.is_(None)))
    return {p.slot: p for p in photos}


def progress_of(case: Case, photos: dict[str, Photo]) -> domain.Progress:
    return domain.Progress(
        phone=case.phone_verified_at is not None,
        location=case.location_at is not None,
        document_type=case.document_type,
        photos={s: domain.PhotoState(s, p.status, p.attempt) for s, p in photos.items()},
        resubmission_slots=tuple(case.resubmission_slots or ()),
    )


def step_guard(progress: domain.Progress, step: str) -> None:
    try:
        progress.require_before(step)
    except domain.StepError as exc:
        raise Problem("step_out_of_order", missing_step=exc.missing_step) from None


def start_retention_clock(case: Case, now) -> None:
    """The first personal data received starts the case's 72-hour deadline."""
    if case.data_received_at is None:
        case.data_received_at = now
        settings = services().settings
        case.purge_due_at = purge_due(now, None, settings.retention_hours)


def person_locale(case: Case) -> str:
    """The case's language if the requester set one, else the person's browser language."""
    return case.locale or negotiate_language()


def vault() -> Vault:
    svc = services()
    return Vault(svc.settings.master_key, svc.storage)


def session_view(case: Case, photos: dict[str, Photo]) -> dict:
    from kcheck.api.photos import photo_view

    progress = progress_of(case, photos)
    return {
        "status": case.status,
        "locale": case.locale,
        "reason": case.reason,
        "expires_at": case.expires_at.isoformat(),
        "steps": {
            "phone": "done" if progress.phone else "todo",
            "location": "done" if progress.location else "todo",
            "document_type": case.document_type,
        },
        "required_slots": list(progress.required_slots),
        "photos": {slot: photo_view(p, person_locale(case)) for slot, p in photos.items()},
        "resubmission_slots": list(case.resubmission_slots or []),
        "resubmission_message": (vault().open_value(case, "resubmission_message",
                                                    case.resubmission_message)
                                 if case.resubmission_message else None),
        "flagged_slots": progress.flagged_slots(),
        "next_step": progress.next_step() if case.status in domain.OPEN_FOR_PERSON else None,
        "consent": {"terms": case.consent_at is not None,
                    "biometric": case.biometric_consent_at is not None},
    }


@bp.post("/sessions")
@limiter.limit(configured("session_open_per_link"), key_func=link_key)
@limiter.limit(configured("session_open_per_address"), key_func=client_ip)
def open_session():
    body = parse_body(SessionOpen)
    svc = services()
    now = svc.now()
    digest = crypto.token_digest(body.token)
    with svc.transaction() as session:
        case = session.scalar(select(Case).where(Case.token_hash == digest).with_for_update())
        # Used, rotated, expired and unknown tokens all get the same answer (no oracle).
        if (case is None or case.token_used_at is not None or case.token_expires_at is None
                or case.token_expires_at <= now or case.expires_at <= now
                or case.status not in domain.OPEN_FOR_PERSON):
            raise Problem("link_invalid")
        case.token_used_at = now
        if case.status == "created":
            case.status = "in_progress"
        case.updated_at = now
        token = crypto.random_token(32)
        mobile = MobileSession(case_id=case.id, token_hash=crypto.token_digest(token),
                               created_at=now, expires_at=min(now + SESSION_TTL, case.expires_at))
        session.add(mobile)
        audit.record(session, now, "person", None, "session.opened", case.id)
        photos = current_photos(session, case.id)
        view = session_view(case, photos)
    return jsonify({"session_token": token, "expires_at": mobile.expires_at.isoformat(),
                    "case": view, "next_step": view["next_step"]}), 201


@bp.get("/session")
@mobile_session(open_only=False)
def get_session():
    with services().sessions() as session:
        case = load_case(session, for_update=False)
        return jsonify(session_view(case, current_photos(session, case.id)))


@bp.post("/session/consent")
@mobile_session()
def give_consent():
    body = parse_body(ConsentSubmit)
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session)
        case.consent_at = case.consent_at or now
        if body.biometric:
            case.biometric_consent_at = case.biometric_consent_at or now
        case.updated_at = now
        audit.record(session, now, "person", None, "consent.given", case.id,
                     biometric=body.biometric)
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
    svc = services()
    now = svc.now()
    digest = crypto.keyed_digest(svc.settings.secret_key, e164, "phone")
    with svc.transaction() as session:
        case = load_case(session)
        active = session.scalar(select(SmsChallenge).where(
            SmsChallenge.case_id == case.id, SmsChallenge.superseded_at.is_(None),
            SmsChallenge.verified_at.is_(None)).order_by(SmsChallenge.created_at.desc()))
        if case.sms_sends >= otp.MAX_SENDS_PER_CASE or \
                guess_budget(session, case.id, 0).case_exhausted:
            raise Problem("sms_limit")
        if active is not None and now - active.sent_at < otp.RESEND_AFTER:
            wait = math.ceil((otp.RESEND_AFTER - (now - active.sent_at)).total_seconds())
            raise Problem("rate_limited", headers={"Retry-After": str(wait)}, retry_after_s=wait)
        recent = session.scalar(select(func.coalesce(func.sum(SmsChallenge.sends), 0)).where(
            SmsChallenge.phone_digest == digest,
            SmsChallenge.sent_at > now - timedelta(hours=1)))
        if recent >= otp.MAX_SENDS_PER_NUMBER_PER_HOUR:
            raise Problem("rate_limited", headers={"Retry-After": "3600"}, retry_after_s=3600)
        code = otp.new_code()
        code_hash = crypto.keyed_digest(svc.settings.secret_key, f"{case.id}:{code}", "otp")
        if active is not None and active.phone_digest == digest and active.locked_at is None:
            # A resend: new code, same challenge, so the failure count is never reset.
            active.code_hash, active.sent_at = code_hash, now
            active.expires_at = now + otp.CODE_TTL
            active.sends += 1
        else:
            if active is not None:
                active.superseded_at = now
            start_retention_clock(case, now)
            session.add(SmsChallenge(
                case_id=case.id, phone=vault().seal_value(case, "sms_phone", e164),
                phone_digest=digest, code_hash=code_hash, created_at=now, sent_at=now,
                expires_at=now + otp.CODE_TTL))
        if case.phone_verified_at is not None:
            # A different number must be verified again before anything else continues.
            case.phone_verified_at = None
            case.phone = None
        case.sms_sends += 1
        case.updated_at = now
        host = svc.settings.public_url.split("://", 1)[1].split("/")[0].split(":")[0]
        # Sent inside the transaction: if the provider refuses, nothing is recorded.
        svc.sms.send(e164, otp.sms_text(code, person_locale(case), host))
        audit.record(session, now, "person", None, "sms.sent", case.id)
    return jsonify({"resend_after_s": int(otp.RESEND_AFTER.total_seconds()),
                    "expires_in_s": int(otp.CODE_TTL.total_seconds())}), 202


@bp.post("/session/phone/verify")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def verify_code():
    body = parse_body(CodeSubmit)
    svc = services()
    now = svc.now()
    failure = None
    with svc.transaction() as session:
        case = load_case(session)
        challenge = session.scalar(select(SmsChallenge).where(
            SmsChallenge.case_id == case.id, SmsChallenge.superseded_at.is_(None))
            .order_by(SmsChallenge.created_at.desc()))
        if challenge is None:
            raise Problem("step_out_of_order", missing_step="phone")
        if challenge.verified_at is not None:
            raise Problem("conflict", detail="This number is already verified.")
        if challenge.locked_at is not None:
            raise Problem("code_locked")
        if challenge.expires_at <= now:
            raise Problem("code_expired")
        presented = crypto.keyed_digest(svc.settings.secret_key,
                                        f"{case.id}:{body.code.strip()}", "otp")
        if not crypto.same(presented, challenge.code_hash or ""):
            # The failure count must survive the error answer: commit it, then raise below.
            budget = guess_budget(session, case.id, challenge.failures).after_failure()
            challenge.failures = budget.challenge_failures
            if budget.case_exhausted:
                challenge.locked_at = now
                lock_for_review(session, case, now, budget)
                failure = Problem("verification_locked")
            elif budget.challenge_locked:
                challenge.locked_at = now
                case.sms_locks += 1
                audit.record(session, now, "person", None, "sms.locked", case.id)
                failure = Problem("code_locked")
            else:
                failure = Problem("wrong_code", attempts_left=budget.attempts_left)
        else:
            # Two correct submissions at once: only the first conditional update wins.
            won = session.execute(update(SmsChallenge).where(
                SmsChallenge.id == challenge.id, SmsChallenge.verified_at.is_(None))
                .values(verified_at=now, code_hash=None)).rowcount
            if not won:
                raise Problem("conflict", detail="This number is already verified.")
            v = vault()
            phone = v.open_value(case, "sms_phone", challenge.phone)
            case.phone = v.seal_value(case, "phone", phone)
            case.phone_verified_at = now
            case.updated_at = now
            audit.record(session, now, "person", None, "phone.verified", case.id)
            view = session_view(case, current_photos(session, case.id))
    if failure is not None:
        raise failure
    return jsonify({"verified": True, "next_step": view["next_step"]})


def guess_budget(session, case_id: str, challenge_failures: int) -> otp.GuessBudget:
    """Wrong codes so far on the challenge and on every challenge the case ever had (rows
    that neither a new number nor a resent link remove)."""
    total = session.scalar(select(func.coalesce(func.sum(SmsChallenge.failures), 0))
                           .where(SmsChallenge.case_id == case_id))
    return otp.GuessBudget(challenge_failures, int(total or 0))


def lock_for_review(session, case: Case, now, budget: otp.GuessBudget) -> None:
    """The case's guess budget is spent: no more codes for anyone; staff look at the case (the
    history says why) and decide."""
    case.status = "submitted"
    case.submitted_at = now
    case.updated_at = now
    emit(session, case, "case.submitted", now, cause="sms_guess_budget_exhausted")
    audit.record(session, now, "person", None, "sms.guess_budget_exhausted", case.id,
                 failed_guesses=budget.case_failures)


def warm_up() -> None:
    """Build the reverse-geocoding index now (seconds of CPU) rather than in the first
    person's request; `kcheck serve` calls it before gunicorn forks, so workers share it."""
    import reverse_geocode

    reverse_geocode.get((46.52, 6.63))


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
    with svc.transaction() as session:
        case = load_case(session)
        photos = current_photos(session, case.id)
        step_guard(progress_of(case, photos), "location")
        case.location = vault().seal_value(case, "location", {
            "latitude": body.latitude, "longitude": body.longitude,
            "accuracy_m": body.accuracy_m, "captured_at": captured.isoformat()})
        case.location_country = country
        case.location_at = now
        case.updated_at = now
        audit.record(session, now, "person", None, "location.given", case.id)
        view = session_view(case, photos)
    return jsonify({"country": country, "next_step": view["next_step"]})


@bp.put("/session/document-type")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def choose_document_type():
    body = parse_body(DocumentTypeSubmit)
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session)
        photos = current_photos(session, case.id)
        step_guard(progress_of(case, photos), "document_type")
        if case.document_type != body.type:
            keep = set(domain.required_slots(body.type))
            for slot, photo in photos.items():
                if slot not in keep or slot == "selfie":
                    photo.superseded_at = now  # the other document's photos no longer count
            case.document_type = body.type
            case.updated_at = now
            audit.record(session, now, "person", None, "document_type.chosen", case.id,
                         document_type=body.type)
    return jsonify({"document_type": body.type,
                    "required_slots": list(domain.required_slots(body.type))})


@bp.post("/session/submit")
@mobile_session()
@limiter.limit(configured("steps_per_session"), key_func=mobile_session_key)
def submit():
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session)
        photos = current_photos(session, case.id)
        progress = progress_of(case, photos)
        missing = progress.missing()
        pending = domain.pending_slots(progress)
        if missing:
            raise Problem("incomplete", missing=missing, pending_slots=pending)
        for slot in progress.flagged_slots():
            photos[slot].flagged = True
        case.status = "submitted"
        case.submitted_at = now
        case.resubmission_slots = None
        case.resubmission_message = None
        case.updated_at = now
        emit(session, case, "case.submitted", now)
        audit.record(session, now, "person", None, "case.submitted", case.id,
                     flagged_slots=progress.flagged_slots())
    return jsonify({"status": "submitted", "flagged_slots": progress.flagged_slots()})
