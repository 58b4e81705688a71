"""What the person does: open a session from the link, verify a phone, give location and
document type, add photos, submit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, select, update

from kcheck import audit, crypto
from kcheck.domain import cases as domain
from kcheck.domain import otp
from kcheck.domain.retention import purge_due
from kcheck.events import emit
from kcheck.models import Case, MobileSession, Photo, SmsChallenge
from kcheck.usecases import Refused

SESSION_TTL = timedelta(hours=12)


@dataclass
class Opened:
    """A new mobile session: its credential (shown once) and the case it opens."""

    token: str
    session: MobileSession
    case: Case
    photos: dict[str, Photo]


def load_case(session, case_id: str, open_only: bool, for_update: bool = True) -> Case:
    """The session's case; steps also need it still open to the person."""
    query = select(Case).where(Case.id == case_id)
    case = session.scalar(query.with_for_update() if for_update else query)
    if open_only:
        require_open(case)
    return case


def require_open(case: Case) -> None:
    if case.status not in domain.OPEN_FOR_PERSON:
        raise Refused("conflict", detail=f"This verification is {case.status}.",
                      case_status=case.status)


def current_photos(session, case_id: str) -> dict[str, Photo]:
    photos = session.scalars(select(Photo).where(Photo.case_id == case_id,
                                                 Photo.superseded_at.is_(None)))
    return {p.slot: p for p in photos}


# Built once: the person's client polls it while a check runs.
_SESSION_STATE = (
    select(MobileSession, Case, Photo)
    .join(Case, Case.id == MobileSession.case_id)
    .outerjoin(Photo, and_(Photo.case_id == Case.id, Photo.superseded_at.is_(None)))
    .where(MobileSession.token_hash == bindparam("digest")))


def session_state(session, token_digest: str
                  ) -> tuple[MobileSession | None, Case | None, dict[str, Photo]]:
    """A mobile session, its case and the case's current photos, in one round trip."""
    rows = session.execute(_SESSION_STATE, {"digest": token_digest}).all()
    if not rows:
        return None, None, {}
    return rows[0][0], rows[0][1], {p.slot: p for _m, _c, p in rows if p is not None}


def progress_of(case: Case, photos: dict[str, Photo]) -> domain.Progress:
    return domain.Progress(
        phone=case.phone_verified_at is not None,
        location=case.location_at is not None,
        document_type=case.document_type,
        photos={s: domain.PhotoState(s, p.status, p.attempt) for s, p in photos.items()},
        resubmission_slots=tuple(case.resubmission_slots or ()),
    )


def require_before(progress: domain.Progress, step: str) -> None:
    try:
        progress.require_before(step)
    except domain.StepError as exc:
        raise Refused("step_out_of_order", missing_step=exc.missing_step) from None


def require_slot_order(progress: domain.Progress, slot: str) -> None:
    try:
        progress.require_slot_order(slot)
    except domain.StepError as exc:
        raise Refused("step_out_of_order", missing_step=exc.missing_step) from None


def start_retention_clock(case: Case, now: datetime, settings) -> None:
    """The first personal data received starts the case's 72-hour deadline."""
    if case.data_received_at is None:
        case.data_received_at = now
        case.purge_due_at = purge_due(now, None, settings.retention_hours)


def open_session(svc, token: str) -> Opened:
    now = svc.now()
    digest = crypto.token_digest(token)
    with svc.transaction() as session:
        case = session.scalar(select(Case).where(Case.token_hash == digest).with_for_update())
        # Used, rotated, expired and unknown tokens all get the same answer (no oracle).
        if case is None or not domain.link_usable(case, now):
            raise Refused("link_invalid")
        case.token_used_at = now
        if case.status == domain.CREATED:
            domain.transition(case, "in_progress", now)
        case.updated_at = now
        credential = crypto.random_token(32)
        mobile = MobileSession(case_id=case.id, token_hash=crypto.token_digest(credential),
                               created_at=now, expires_at=min(now + SESSION_TTL, case.expires_at))
        session.add(mobile)
        audit.record(session, now, "person", None, "session.opened", case.id)
        photos = current_photos(session, case.id)
    return Opened(credential, mobile, case, photos)


def give_consent(svc, case_id: str, biometric: bool) -> None:
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        case.consent_at = case.consent_at or now
        if biometric:
            case.biometric_consent_at = case.biometric_consent_at or now
        case.updated_at = now
        audit.record(session, now, "person", None, "consent.given", case.id, biometric=biometric)


def guess_budget(session, case_id: str, challenge_failures: int) -> otp.GuessBudget:
    """Wrong codes so far on the challenge and on every challenge the case ever had (rows
    that neither a new number nor a resent link remove)."""
    total = session.scalar(select(func.coalesce(func.sum(SmsChallenge.failures), 0))
                           .where(SmsChallenge.case_id == case_id))
    return otp.GuessBudget(challenge_failures, int(total or 0))


def _refused(exc: otp.CodeRefused) -> Refused:
    if exc.retry_after_s is None:
        return Refused(exc.code)
    return Refused(exc.code, retry_after_s=exc.retry_after_s)


def request_code(svc, case_id: str, e164: str, locale: str) -> None:
    """Send a code to the number (a resend to the same number keeps its challenge, so its
    failure count is never reset). `locale` is used when the case has none."""
    now = svc.now()
    settings = svc.settings
    digest = crypto.keyed_digest(settings.secret_key, e164, "phone")
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        active = session.scalar(select(SmsChallenge).where(
            SmsChallenge.case_id == case.id, SmsChallenge.superseded_at.is_(None),
            SmsChallenge.verified_at.is_(None)).order_by(SmsChallenge.created_at.desc()))
        sends_to_number = session.scalar(select(func.coalesce(func.sum(SmsChallenge.sends), 0))
                                         .where(SmsChallenge.phone_digest == digest,
                                                SmsChallenge.sent_at > now - otp.NUMBER_WINDOW))
        try:
            otp.check_send(case_sends=case.sms_sends, budget=guess_budget(session, case.id, 0),
                           last_sent_at=active.sent_at if active is not None else None,
                           sends_to_number=sends_to_number, now=now)
        except otp.CodeRefused as exc:
            raise _refused(exc) from None
        code = otp.new_code()
        code_hash = crypto.keyed_digest(settings.secret_key, f"{case.id}:{code}", "otp")
        if active is not None and active.phone_digest == digest and active.locked_at is None:
            active.code_hash, active.sent_at = code_hash, now
            active.expires_at = now + otp.CODE_TTL
            active.sends += 1
        else:
            if active is not None:
                active.superseded_at = now
            start_retention_clock(case, now, settings)
            session.add(SmsChallenge(
                case_id=case.id, phone=svc.vault().seal_value(case, "sms_phone", e164),
                phone_digest=digest, code_hash=code_hash, created_at=now, sent_at=now,
                expires_at=now + otp.CODE_TTL))
        if case.phone_verified_at is not None:
            # A different number must be verified again before anything else continues.
            case.phone_verified_at = None
            case.phone = None
        case.sms_sends += 1
        case.updated_at = now
        host = settings.public_url.split("://", 1)[1].split("/")[0].split(":")[0]
        # Sent inside the transaction: if the provider refuses, nothing is recorded.
        svc.sms.send(e164, otp.sms_text(code, case.locale or locale, host))
        audit.record(session, now, "person", None, "sms.sent", case.id)


def verify_code(svc, case_id: str, code: str) -> tuple[Case, dict[str, Photo]]:
    """Check a guess. A wrong one is counted (and committed) before it is refused."""
    now = svc.now()
    failure = None
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        challenge = session.scalar(select(SmsChallenge).where(
            SmsChallenge.case_id == case.id, SmsChallenge.superseded_at.is_(None))
            .order_by(SmsChallenge.created_at.desc()))
        if challenge is None:
            raise Refused("step_out_of_order", missing_step="phone")
        if challenge.verified_at is not None:
            raise Refused("conflict", detail="This number is already verified.")
        try:
            otp.check_guess_allowed(locked=challenge.locked_at is not None,
                                    expires_at=challenge.expires_at, now=now)
        except otp.CodeRefused as exc:
            raise _refused(exc) from None
        presented = crypto.keyed_digest(svc.settings.secret_key,
                                        f"{case.id}:{code.strip()}", "otp")
        if not crypto.same(presented, challenge.code_hash or ""):
            # The failure count must survive the refusal: commit it, then raise below.
            budget = guess_budget(session, case.id, challenge.failures).after_failure()
            challenge.failures = budget.challenge_failures
            outcome = otp.failure_outcome(budget)
            if outcome == "verification_locked":
                challenge.locked_at = now
                _lock_for_review(session, case, now, budget)
                failure = Refused(outcome)
            elif outcome == "code_locked":
                challenge.locked_at = now
                case.sms_locks += 1
                audit.record(session, now, "person", None, "sms.locked", case.id)
                failure = Refused(outcome)
            else:
                failure = Refused(outcome, attempts_left=budget.attempts_left)
        else:
            # Two correct submissions at once: only the first conditional update wins.
            won = session.execute(update(SmsChallenge).where(
                SmsChallenge.id == challenge.id, SmsChallenge.verified_at.is_(None))
                .values(verified_at=now, code_hash=None)).rowcount
            if not won:
                raise Refused("conflict", detail="This number is already verified.")
            vault = svc.vault()
            phone = vault.open_value(case, "sms_phone", challenge.phone)
            case.phone = vault.seal_value(case, "phone", phone)
            case.phone_verified_at = now
            case.updated_at = now
            audit.record(session, now, "person", None, "phone.verified", case.id)
            photos = current_photos(session, case.id)
    if failure is not None:
        raise failure
    return case, photos


def _lock_for_review(session, case: Case, now, budget: otp.GuessBudget) -> None:
    """The case's guess budget is spent: no more codes for anyone; staff look at the case (the
    history says why) and decide."""
    domain.transition(case, "submitted", now)
    case.submitted_at = now
    emit(session, case, "case.submitted", now, cause="sms_guess_budget_exhausted")
    audit.record(session, now, "person", None, "sms.guess_budget_exhausted", case.id,
                 failed_guesses=budget.case_failures)


def give_location(svc, case_id: str, location: dict, country: str | None
                  ) -> tuple[Case, dict[str, Photo]]:
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        photos = current_photos(session, case.id)
        require_before(progress_of(case, photos), "location")
        case.location = svc.vault().seal_value(case, "location", location)
        case.location_country = country
        case.location_at = now
        case.updated_at = now
        audit.record(session, now, "person", None, "location.given", case.id)
    return case, photos


def choose_document_type(svc, case_id: str, document_type: str) -> None:
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        photos = current_photos(session, case.id)
        require_before(progress_of(case, photos), "document_type")
        if case.document_type != document_type:
            keep = set(domain.required_slots(document_type))
            for slot, photo in photos.items():
                if slot not in keep or slot == "selfie":
                    photo.superseded_at = now  # the other document's photos no longer count
            case.document_type = document_type
            case.updated_at = now
            audit.record(session, now, "person", None, "document_type.chosen", case.id,
                         document_type=document_type)


def check_upload(svc, case_id: str, slot: str) -> Case:
    """The cheap checks made before an upload's body is read."""
    with svc.sessions() as session:
        case = load_case(session, case_id, open_only=True, for_update=False)
        require_slot_order(progress_of(case, current_photos(session, case.id)), slot)
    return case


def prepare_upload(svc, case: Case, now: datetime) -> Case:
    """Before a photo is stored: the case's data key exists and its retention clock runs."""
    if case.wrapped_data_key is None or case.data_received_at is None:
        with svc.transaction() as session:  # short: the case's data key and retention clock
            case = load_case(session, case.id, open_only=True)
            start_retention_clock(case, now, svc.settings)
            svc.vault().data_key(case, create=True)
    return case


def record_upload(svc, case_id: str, slot: str, clean, key: str, wrapped_key: bytes,
                  now: datetime) -> tuple[Photo, Case]:
    """The photo row for a stored upload, if the case is still as it was (same data key:
    not purged meanwhile) and the slot still in order."""
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        if case.wrapped_data_key != wrapped_key:
            raise Refused("conflict", detail="This verification is no longer open.")
        photos = current_photos(session, case.id)
        require_slot_order(progress_of(case, photos), slot)
        previous = photos.get(slot)
        photo = Photo(case_id=case.id, slot=slot, attempt=(previous.attempt + 1) if previous else 1,
                      status="pending", blob_key=key, byte_size=len(clean.data),
                      width=clean.width, height=clean.height,
                      orientation=clean.orientation if clean.orientation != 1 else None,
                      created_at=now, enqueued_at=now)  # queued right after this commit
        session.add(photo)
        if previous is not None:
            previous.superseded_at = now
        if case.resubmission_slots and slot in case.resubmission_slots:
            case.resubmission_slots = [s for s in case.resubmission_slots if s != slot]
        if case.status == "resubmission_requested":
            domain.transition(case, "in_progress", now)
        case.updated_at = now
        audit.record(session, now, "person", None, "photo.uploaded", case.id, slot=slot,
                     attempt=photo.attempt)
    return photo, case


def submit(svc, case_id: str) -> list[str]:
    """Hand the case to review; returns the slots whose photos reviewers must look at."""
    now = svc.now()
    with svc.transaction() as session:
        case = load_case(session, case_id, open_only=True)
        photos = current_photos(session, case.id)
        progress = progress_of(case, photos)
        missing = progress.missing()
        if missing:
            raise Refused("incomplete", missing=missing,
                          pending_slots=domain.pending_slots(progress))
        flagged = progress.flagged_slots()
        for slot in flagged:
            photos[slot].flagged = True
        domain.transition(case, "submitted", now)
        case.submitted_at = now
        case.resubmission_slots = None
        case.resubmission_message = None
        emit(session, case, "case.submitted", now)
        audit.record(session, now, "person", None, "case.submitted", case.id,
                     flagged_slots=flagged)
    return flagged
