"""Human labels for the codes the review pages show; msgids of the review catalogue."""

from __future__ import annotations

import functools


def N_(message: str) -> str:
    """Mark a text for extraction (`pybabel extract -k N_`); it is translated where shown."""
    return message


SLOTS = {"id_front": N_("Front of the ID card"), "id_back": N_("Back of the ID card"),
         "passport_page": N_("Passport photo page"),
         "selfie": N_("Selfie holding the document")}
STATUSES = {"created": N_("Created"), "in_progress": N_("In progress"),
            "submitted": N_("Submitted"), "in_review": N_("In review"),
            "approved": N_("Approved"), "rejected": N_("Rejected"),
            "resubmission_requested": N_("New photos requested"), "expired": N_("Expired"),
            "cancelled": N_("Cancelled")}
CASE_REASONS = {"password_reset": N_("Password reset"),
                "login_email_recovery": N_("Login e-mail recovery"),
                "two_factor_disable": N_("Turn off two-factor authentication"),
                "account_unlock": N_("Account unlock"),
                "ticketing_first_payout": N_("First ticket sales payout"),
                "order_unblock": N_("Blocked order"), "other": N_("Other")}
DOCUMENT_TYPES = {"id_card": N_("ID card"), "passport": N_("Passport")}
DECISION_REASONS = {
    "identity_confirmed": N_("Identity confirmed"),
    "identity_confirmed_after_check": N_("Identity confirmed after an extra check"),
    "document_invalid": N_("Document not valid"),
    "document_expired": N_("Document expired"),
    "face_mismatch": N_("Face does not match the document"),
    "name_mismatch": N_("Name does not match the expected holder"),
    "suspected_fraud": N_("Suspected fraud"),
    "photos_unusable": N_("Photos unusable"),
    "photo_unreadable": N_("A photo is unreadable"),
    "wrong_document": N_("Wrong document"),
    "selfie_without_document": N_("Selfie without the document"),
    "glare_or_blur": N_("Glare or blur"),
    "other": N_("Other (explain in the note)"),
}
QUALITY_REASONS = {
    "not_an_image": N_("Not an image"), "unsupported_format": N_("Unsupported format"),
    "too_large": N_("Too large"), "low_resolution": N_("Low resolution"),
    "blurry": N_("Blurry"), "too_dark": N_("Too dark"), "too_bright": N_("Too bright"),
    "glare": N_("Glare"), "document_not_found": N_("Document not found"),
    "document_cut_off": N_("Document cut off"), "document_too_small": N_("Document too small"),
    "wrong_document_side": N_("Wrong side of the document"), "no_face": N_("No face"),
    "multiple_faces": N_("Several faces"), "face_too_small": N_("Face too small"),
    "mrz_unreadable": N_("MRZ unreadable"), "mrz_invalid": N_("MRZ invalid"),
    "document_expired": N_("Document expired"),
}
MRZ_STATES = {"valid": N_("every check digit passes"),
              "invalid": N_("a check digit fails"), "unreadable": N_("no zone could be read"),
              "pending": N_("not read yet"), "error": N_("reading failed"),
              "no_photo": N_("no photo of the side with the zone")}
MRZ_CHECKS = {"document_number": N_("Document number"), "birth_date": N_("Date of birth"),
              "expiry_date": N_("Date of expiry"),
              "personal_number": N_("Personal number (optional data)"),
              "composite": N_("Composite (the whole zone)")}
MRZ_FIELDS = {"document_type": N_("Document code"), "issuing_country": N_("Issuing state"),
              "nationality": N_("Nationality"), "birth_date": N_("Date of birth"),
              "expiry_date": N_("Date of expiry"), "sex": N_("Sex")}
MRZ_VERDICTS = {"not_a_date": N_("not a calendar date"), "in_future": N_("in the future"),
                "before_birth": N_("before the date of birth"),
                "unknown_code": N_("not a known code"),
                "look_alike": N_("a look-alike letter was put right to give a known code: "
                                 "compare with the page"),
                "unknown": N_("not M, F or X")}
PHOTO_STATUSES = {"pending": N_("Check pending"), "pass": N_("Passed"),
                  "retake": N_("Retake advised"), "reject": N_("Rejected")}
# kcheck.docintel.facescore: the words for a face-match score; %(share)s is a percentage.
FACE_MATCH = {
    "likely_same": N_("Likely the same person: about %(share)s of pairs of different people "
                      "score this close."),
    "likely_same_under": N_("Likely the same person: fewer than %(share)s of pairs of "
                            "different people score this close."),
    "unclear": N_("Unclear: about %(share)s of pairs of photos of one person score this far "
                  "apart. Compare the faces yourself."),
    "unlikely_same": N_("Unlikely the same person: about %(share)s of pairs of photos of one "
                        "person score this far apart."),
    "unlikely_same_under": N_("Unlikely the same person: fewer than %(share)s of pairs of "
                              "photos of one person score this far apart."),
    "no_face_document": N_("Could not compare: no face found on the document."),
    "no_face_selfie": N_("Could not compare: no face found on the selfie."),
    "unreadable": N_("Could not compare: a photo could not be read."),
    "failed": N_("Could not compare: the comparison failed."),
}
ROLES = {"reviewer": N_("Reviewer"), "admin": N_("Administrator")}
OUTCOMES = {"approved": N_("Approve"), "rejected": N_("Reject"),
            "resubmission_requested": N_("Request new photos")}
ACTORS = {"person": N_("The person"), "api_client": N_("Requesting system"),
          "system": N_("kcheck"), "staff": N_("Staff")}
ACTIONS = {
    "case.opened": N_("Case opened"), "case.link_resent": N_("Link sent again"),
    "case.cancelled": N_("Case cancelled"), "case.submitted": N_("Sent for review"),
    "case.expired": N_("Case expired"), "case.data_purged": N_("Personal data deleted"),
    "case.claimed": N_("Case claimed"), "case.released": N_("Claim released"),
    "case.viewed": N_("Case viewed"), "case.decided": N_("Decision"),
    "session.opened": N_("Link opened"), "consent.given": N_("Consent given"),
    "sms.sent": N_("SMS code sent"), "sms.locked": N_("SMS code locked after wrong codes"),
    "phone.verified": N_("Phone number confirmed"), "location.given": N_("Location shared"),
    "document_type.chosen": N_("Document type chosen"), "photo.uploaded": N_("Photo sent"),
    "photo.viewed": N_("Photo viewed"),
    "sms.guess_budget_exhausted": N_("Too many wrong SMS codes: sent for review"),
    "case.requester_data_purged": N_("Requester's personal data deleted"),
    "case.locked": N_("Case locked"),
}
# The document-check assists' states (kcheck.docintel.summary) and what reuse found.
ASSIST_STATES = {
    "pending": N_("being checked"), "ready": N_("ready"), "purged": N_("deleted"),
    "no_photo": N_("no photo"), "error": N_("could not run"), "failed": N_("could not run"),
    "unreadable": N_("unreadable"), "invalid": N_("invalid (check digits wrong)"),
    "valid": N_("valid"), "unavailable: no valid MRZ": N_("not checked: no valid MRZ"),
    "not_compared": N_("not compared: no expected name given"), "match": N_("match"),
    "mismatch": N_("mismatch"), "no_match": N_("no match"), "unknown": N_("unknown"),
    "expired": N_("expired"), "same": N_("same country"),
    "different": N_("different country"), "not run: no consent": N_("not run: no consent"),
    "flagged": N_("found in another open case"), "none": N_("not found elsewhere"),
}
REUSE_KINDS = {"same_document": N_("same document"), "same_photo": N_("same photo")}


@functools.cache
def all_labels() -> dict[str, dict[str, str]]:
    """Every table by kind (built once: a case page looks up dozens of labels)."""
    return {"slots": SLOTS, "statuses": STATUSES, "case_reasons": CASE_REASONS,
            "document_types": DOCUMENT_TYPES, "decision_reasons": DECISION_REASONS,
            "quality_reasons": QUALITY_REASONS, "photo_statuses": PHOTO_STATUSES,
            "roles": ROLES, "outcomes": OUTCOMES, "actors": ACTORS, "actions": ACTIONS,
            "assist_states": ASSIST_STATES, "reuse_kinds": REUSE_KINDS, "face_match": FACE_MATCH,
            "mrz_states": MRZ_STATES, "mrz_checks": MRZ_CHECKS, "mrz_fields": MRZ_FIELDS,
            "mrz_verdicts": MRZ_VERDICTS}


def unknown(code: str) -> str:
    """Words for a code no table knows yet ("case.locked" -> "Case locked"), never the code."""
    words = code.replace(".", " ").replace("_", " ").replace(":", "").strip()
    return words[:1].upper() + words[1:]
