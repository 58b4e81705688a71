"""The case page shows the photo check's doubts (notes below the retake threshold) in words."""

from __future__ import annotations

from sqlalchemy import select

from kcheck.models import Photo
from kcheck.quality import QualityVerdict, check_photo
from tests.fixtures.documents import make_document


def store_verdict(svc, case_id: str, slot: str, verdict) -> None:
    """What the quality job stores: the verdict's JSON in the photo's metrics."""
    with svc.transaction() as session:
        photo = session.scalars(select(Photo).where(Photo.case_id == case_id, Photo.slot == slot)).one()
        photo.status, photo.reasons, photo.metrics = verdict.verdict, list(verdict.reasons), verdict.to_json()


def test_a_passed_photo_shows_its_doubts_to_the_reviewer(reviewer, submitted_case, svc):
    case_id = submitted_case()
    # A legible photo of a card with too few pixels for comfort: passed, with a note.
    verdict = check_photo(make_document("id_front", "low_resolution", seed=1), "id_front")
    assert verdict.verdict == "pass" and [code for code, _ in verdict.notes] == ["low_resolution"]
    store_verdict(svc, case_id, "id_front", verdict)
    percent = round(verdict.notes[0][1] * 100)
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "The automatic check passed this photo with doubts for you to look at:" in html
    assert f"Low resolution: possible ({percent} % sure)" in html
    assert html.count('class="photo-notes"') == 1  # only the photo that has notes

    reviewer.submit("/review/language", {"locale": "fr", "next": "/review/"})
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert f"Résolution trop faible : possible (sûr à {percent} %)" in html


def test_a_photo_without_notes_shows_none(reviewer, submitted_case, svc):
    case_id = submitted_case()
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "Front of the ID card" in html and 'class="photo-notes"' not in html


def test_a_photo_no_check_could_judge_tells_the_reviewer_to_look(reviewer, submitted_case, svc):
    case_id = submitted_case()
    store_verdict(svc, case_id, "id_back", QualityVerdict.unchecked())  # as the job stores it
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "The automatic check could not judge this photo: look at it yourself." in html
    assert html.count('class="photo-notes"') == 1
    reviewer.submit("/review/language", {"locale": "fr", "next": "/review/"})
    html = reviewer.get(f"/review/cases/{case_id}").get_data(as_text=True)
    assert "pas pu juger cette photo : examinez-la vous-même." in html
