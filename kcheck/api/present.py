"""What the person's mobile client is shown of their case and photos."""

from __future__ import annotations

from kcheck.domain import cases as domain
from kcheck.models import Case, Photo
from kcheck.problems import negotiate_language
from kcheck.usecases.intake import progress_of


def person_locale(case: Case) -> str:
    """The case's language if the requester set one, else the person's browser language."""
    return case.locale or negotiate_language()


def photo_view(photo: Photo, locale: str) -> dict:
    from kcheck.quality import message_for

    quality = {"status": photo.status}
    if photo.status != "pending":
        reasons = list(photo.reasons or [])
        quality.update(reasons=reasons, message=message_for(reasons, locale, photo.slot))
    return {"slot": photo.slot, "photo_id": photo.id, "attempt": photo.attempt,
            "flagged": photo.flagged, "quality": quality}


def session_view(svc, case: Case, photos: dict[str, Photo]) -> dict:
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
        "resubmission_message": (svc.vault().open_value(case, "resubmission_message",
                                                        case.resubmission_message)
                                 if case.resubmission_message else None),
        "flagged_slots": progress.flagged_slots(),
        "next_step": progress.next_step() if case.status in domain.OPEN_FOR_PERSON else None,
        "consent": {"terms": case.consent_at is not None,
                    "biometric": case.biometric_consent_at is not None},
    }
