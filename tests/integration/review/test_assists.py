"""The case page's document assists as a reviewer reads them: the face match in words, with the
measured share that backs them, never a raw distance."""

from __future__ import annotations

import re

from kcheck.docintel import facematch
from kcheck.models import Case
from tests.fixtures.documents import make_photo


def store_face_match(svc, case_id: str, result: dict) -> None:
    """What the docintel job stores after a comparison (with the person's biometric consent)."""
    with svc.transaction() as session:
        case = session.get(Case, case_id)
        case.biometric_consent_at = svc.now()
        case.face_match = svc.vault().seal_value(
            case, "face_match", {"selfie_photo": "p1", "document_photo": "p2", **result})


def face_match_text(html: str) -> str:
    found = re.search(r"Face match \(selfie against the document portrait\)</dt>\s*<dd>(.*?)</dd>",
                      html, re.S) or re.search(
        r"Comparaison faciale \(selfie et portrait du document\)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return found.group(1).strip()


def test_the_face_match_is_shown_in_words_with_its_measured_share(reviewer, submitted_case, svc):
    case_id = submitted_case()
    result = facematch.compare(make_photo("selfie", seed=1),
                               make_photo("id_front", seed=4)).to_json()
    assert result["verdict"] == "match"
    store_face_match(svc, case_id, result)
    shown = face_match_text(reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True))
    assert re.fullmatch(r"Likely the same person: (about|fewer than) \d+(\.\d+)?% of pairs of "
                        r"different people score this close\.", shown), shown
    assert str(result["distance"]) not in shown and "threshold" not in shown

    reviewer.submit("/review/language", {"locale": "fr", "next": "/review/"})
    shown = face_match_text(reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True))
    assert re.fullmatch(r"Probablement la même personne : (environ|moins de) \d+(,\d+)?\s%"
                        r" des paires de personnes différentes obtiennent un score aussi "
                        r"proche\.", shown), shown


def test_a_different_face_and_a_missing_portrait_say_so(reviewer, submitted_case, svc):
    first, second = submitted_case(), submitted_case()
    store_face_match(svc, first, {"verdict": "no_match", "distance": 0.9, "similarity": 0.1,
                                  "threshold": facematch.MATCH_THRESHOLD})
    store_face_match(svc, second, facematch.compare(make_photo("selfie", seed=1),
                                                    make_photo("id_back", seed=1)).to_json())
    shown = face_match_text(reviewer.get(f"/review/cases/{first}").get_data(as_text=True))
    assert shown.startswith("Unlikely the same person: ") and "0.9" not in shown
    shown = face_match_text(reviewer.get(f"/review/cases/{second}").get_data(as_text=True))
    assert shown == "Could not compare: no face found on the document."
