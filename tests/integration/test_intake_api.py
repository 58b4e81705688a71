"""The person's steps over HTTP: session, SMS code, location, document type, photos, submit."""

from __future__ import annotations

import pytest

from tests import images
from tests.concurrency import run_together
from tests.conftest import outbox_code


@pytest.fixture
def case(partner):
    return partner.open_case(reason="password_reset", subject_ref="acct-1").get_json()


@pytest.fixture
def person(person_for, case):
    return person_for(case["verification_url"])


def test_session_opens_once_and_names_the_first_step(person):
    opened = person.open()
    assert opened.status_code == 201
    body = opened.get_json()
    assert body["next_step"] == "phone" and len(body["session_token"]) >= 22
    again = person.open()  # the link works once
    assert again.status_code == 401 and again.get_json()["code"] == "link_invalid"


def test_unknown_expired_and_used_tokens_get_the_same_answer(person, person_for, clock, case):
    person.open()
    used = person_for(case["verification_url"]).open()
    unknown = person_for("http://x/verify#" + "A" * 43).open()
    assert used.status_code == unknown.status_code == 401
    assert used.get_json() == unknown.get_json()


def test_expired_link_is_refused(person, clock):
    clock.advance(hours=72, seconds=1)
    assert person.open().status_code == 401


def test_steps_out_of_order_name_the_missing_step(person):
    person.open()
    response = person.locate()
    assert response.status_code == 409
    assert response.get_json()["missing_step"] == "phone"
    upload = person.upload("id_front", images.plain_jpeg())
    assert upload.status_code == 409 and upload.get_json()["missing_step"] == "phone"


def test_phone_must_be_a_valid_mobile_number(person):
    person.open()
    for number in ("12", "+41 21 123 45 67", "not a number", "+999 1234"):
        response = person.request_code(number)
        assert response.status_code == 422, number
        assert number not in response.get_data(as_text=True)


def test_sms_code_flow_wrong_then_right(person, settings):
    person.open()
    sent = person.request_code()
    assert sent.status_code == 202
    assert sent.get_json() == {"resend_after_s": 30, "expires_in_s": 600}
    code = outbox_code(settings)
    wrong = person.verify("000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.get_json()["attempts_left"] == 4
    right = person.verify(code)
    assert right.status_code == 200 and right.get_json()["next_step"] == "location"


def test_resend_waits_30_seconds_and_keeps_the_failure_count(person, settings, clock):
    person.open()
    person.request_code()
    early = person.request_code()
    assert early.status_code == 429 and int(early.headers["Retry-After"]) <= 30
    person.verify("999999" if outbox_code(settings) != "999999" else "888888")
    clock.advance(seconds=31)
    assert person.request_code().status_code == 202
    code = outbox_code(settings)
    wrong = person.verify("999999" if code != "999999" else "888888")
    assert wrong.get_json()["attempts_left"] == 3  # failures carried over the resend


def test_five_wrong_codes_lock_the_code_and_ten_lock_the_case_for_review(person, settings,
                                                                         clock):
    person.open()
    expected = [[400, 400, 400, 400, 429], [400, 400, 400, 400, 403]]
    for lock, answers_wanted in enumerate(expected):
        clock.advance(seconds=31)
        assert person.request_code().status_code == 202
        code = outbox_code(settings)
        wrong = "000000" if code != "000000" else "111111"
        answers = [person.verify(wrong) for _ in range(5)]
        assert [a.status_code for a in answers] == answers_wanted, lock
    assert answers[-1].get_json()["code"] == "verification_locked"
    assert person.verify(code).status_code == 409  # the case waits for staff now
    clock.advance(seconds=31)
    assert person.request_code().status_code == 409


def test_at_most_five_codes_per_case(person, clock):
    person.open()
    statuses = []
    for _ in range(6):
        clock.advance(seconds=31)
        statuses.append(person.request_code().status_code)
    assert statuses == [202] * 5 + [429]


def test_two_correct_submissions_at_once_exactly_one_wins(person, settings, app):
    person.open()
    person.request_code()
    code = outbox_code(settings)

    def submit():
        return app.test_client().post("/v1/session/phone/verify", json={"code": code},
                                      headers=person.headers).status_code

    results = run_together(submit)
    assert sorted(results) == [200, 409]


def test_location_checks_ranges_and_age_and_finds_the_country(person):
    person.open()
    person.request_code()
    person.verify()
    assert person.locate(lat=91).status_code == 422
    assert person.locate(age_s=11 * 60).status_code == 422
    assert person.locate(age_s=-120).status_code == 422
    response = person.locate(lat=47.3769, lon=8.5417)
    assert response.status_code == 200 and response.get_json()["country"] == "CH"


def test_document_type_sets_required_slots(person):
    person.open()
    person.request_code()
    person.verify()
    person.locate()
    card = person.choose("id_card").get_json()
    assert card["required_slots"] == ["id_front", "id_back", "selfie"]
    passport = person.choose("passport").get_json()
    assert passport["required_slots"] == ["passport_page", "selfie"]


def test_upload_is_stored_encrypted_without_metadata_and_pending(person, svc, case):
    from kcheck.models import Photo

    person.through_document_type()
    response = person.upload("id_front", images.plain_jpeg())
    assert response.status_code == 202
    body = response.get_json()
    assert body["quality"] == {"status": "pending"} and body["slot"] == "id_front"
    keys = list(svc.storage.list_keys())
    assert len(keys) == 1 and keys[0].startswith(f"cases/{case['id']}/")
    stored = svc.storage.get(keys[0])
    assert not stored.startswith(b"\xff\xd8")  # encrypted, not a JPEG at rest
    with svc.sessions() as session:
        photo = session.get(Photo, body["photo_id"])
        assert photo.enqueued_at is not None


def test_no_metadata_reaches_storage_and_the_worker_keeps_an_upright_copy(person, svc, case,
                                                                           run_jobs):
    import io

    from PIL import Image

    from kcheck.models import Case, Photo

    person.through_document_type()
    response = person.upload("id_front", images.camera_jpeg(width=1600, height=1200))
    assert response.status_code == 202
    vault = svc.vault()

    def stored() -> dict[str, bytes]:
        with svc.sessions() as session:
            row = session.get(Case, case["id"])
            return {key: vault.get_blob(row, key) for key in svc.storage.list_keys()}

    uploads = stored()
    assert len(uploads) == 1
    for marker in images.PHONE_METADATA:  # the upload as stored, read back and decrypted
        assert marker not in next(iter(uploads.values())), marker
    run_jobs()
    with svc.sessions() as session:
        photo = session.get(Photo, response.get_json()["photo_id"])
    assert photo.status in ("pass", "retake") and photo.blob_key not in uploads
    blobs = stored()  # the upload is gone; the copy and the reviewer's preview remain
    assert set(blobs) == {photo.blob_key, photo.preview_key}
    copy = Image.open(io.BytesIO(blobs[photo.blob_key]))
    assert copy.size == (photo.width, photo.height) == (1200, 1600)  # upright (EXIF 6 applied)
    for data in blobs.values():
        assert not Image.open(io.BytesIO(data)).getexif()
        for marker in images.PHONE_METADATA:
            assert marker not in data, marker


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (images.html_as_jpeg(), "image/jpeg", 415, "not_an_image"),
    (images.truncated_jpeg(), "image/jpeg", 415, "not_an_image"),
    (images.svg_with_script(), "image/jpeg", 415, "not_an_image"),
    (images.animated_gif(), "image/jpeg", 415, "unsupported_format"),
    (images.png_bomb(), "image/png", 413, "too_large"),
    (images.plain_jpeg(), "image/gif", 415, "unsupported_format"),
    (images.plain_jpeg(300, 180), "image/jpeg", 422, "low_resolution"),
], ids=["html", "truncated", "svg", "gif", "bomb", "declared-gif", "tiny"])
def test_hostile_files_are_refused_and_nothing_is_stored(person, svc, data, content_type,
                                                         status, code):
    person.through_document_type()
    response = person.upload("id_front", data, content_type)
    assert response.status_code == status
    assert response.get_json()["code"] == code
    assert list(svc.storage.list_keys()) == []


def test_oversized_upload_is_refused_before_reading(person):
    person.through_document_type()
    response = person.upload("id_front", b"\xff\xd8" + b"0" * (15 * 1024 * 1024 + 1))
    assert response.status_code == 413


def test_multipart_upload_and_retake_replaces_the_slot(person, svc):
    person.through_document_type()
    first = person.call("PUT", "/v1/session/photos/id_front",
                        data={"photo": (__import__("io").BytesIO(images.plain_jpeg()), "a.jpg",
                                        "image/jpeg")},
                        content_type="multipart/form-data")
    assert first.status_code == 202
    second = person.upload("id_front", images.plain_jpeg(seed=1))
    assert second.get_json()["attempt"] == 2
    state = person.call("GET", "/v1/session/photos/id_front").get_json()
    assert state["photo_id"] == second.get_json()["photo_id"]


def test_selfie_needs_the_document_photos_first(person):
    person.through_document_type()
    response = person.upload("selfie", images.plain_jpeg())
    assert response.status_code == 409 and response.get_json()["missing_step"] == "photo:id_front"


def test_submit_lists_what_is_missing(person):
    person.through_document_type()
    response = person.call("POST", "/v1/session/submit")
    assert response.status_code == 409
    assert response.get_json()["missing"] == ["photo:id_front", "photo:id_back", "photo:selfie"]


def test_session_of_another_case_cannot_touch_this_one(person, partner, person_for):
    person.open()
    other = person_for(partner.open_case().get_json()["verification_url"])
    other.open()
    assert other.headers != person.headers
    assert person.call("GET", "/v1/session").get_json()["steps"]["phone"] == "todo"
    bogus = person.client.get("/v1/session", headers={"Authorization": "Bearer nope"})
    assert bogus.status_code == 401


def test_wrong_types_and_missing_fields(person):
    person.open()
    cases = [({}, "phone_number"), ({"phone_number": 41791234567}, "phone_number"),
             ([], "(body)"), ("x", "(body)"), ({"phone_number": "x", "extra": 1}, "extra")]
    for body, field in cases:
        response = person.call("POST", "/v1/session/phone", json=body)
        assert response.status_code == 422, body
        problem = response.get_json()
        assert problem["code"] == "validation_failed"
        assert field in {e["field"] for e in problem["errors"]}, (body, problem["errors"])
    not_json = person.call("POST", "/v1/session/phone", data="phone=1",
                           content_type="text/plain")
    assert not_json.status_code == 400 and not_json.get_json()["code"] == "bad_request"


def test_reviewers_request_for_new_photos_reaches_the_person(person, svc, case):
    from kcheck.models import Case

    person.through_document_type()
    with svc.transaction() as session:
        row = session.get(Case, case["id"])
        row.status = "resubmission_requested"
        row.resubmission_slots = ["id_front"]
        row.resubmission_message = svc.vault().seal_value(
            row, "resubmission_message", "Please retake the front without your thumb on it.")
    state = person.call("GET", "/v1/session").get_json()
    assert state["resubmission_slots"] == ["id_front"]
    assert state["resubmission_message"] == "Please retake the front without your thumb on it."


def test_changing_the_number_needs_a_new_verification(person, clock):
    person.open()
    person.request_code()
    person.verify()
    assert person.call("GET", "/v1/session").get_json()["steps"]["phone"] == "done"
    clock.advance(seconds=31)
    assert person.request_code("+41 78 765 43 21").status_code == 202
    state = person.call("GET", "/v1/session").get_json()
    assert state["steps"]["phone"] == "todo" and state["next_step"] == "phone"
    assert person.verify().status_code == 200


def test_forty_people_behind_one_address_open_their_sessions(partner, person_for):
    """Carrier-grade NAT: one address, many phones; each link is limited, not the address."""
    urls = [partner.open_case(subject_ref=f"order-{i}").get_json()["verification_url"]
            for i in range(40)]
    assert [person_for(url).open().status_code for url in urls] == [201] * 40


def test_one_link_hammered_is_limited_and_others_are_not(client, person, partner, person_for):
    answers = [person.open().status_code for _ in range(11)]
    assert answers == [201] + [401] * 9 + [429]  # the link works once, then is refused
    limited = person.open()
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["code"] == "rate_limited"
    other = partner.open_case(subject_ref="order-2").get_json()["verification_url"]
    assert person_for(other).open().status_code == 201  # same address, another link


def test_one_address_guessing_links_hits_the_ceiling(make_app, settings):
    import dataclasses

    import redis

    from kcheck.settings import RateLimits

    limited = dataclasses.replace(settings, rate_limits=RateLimits(
        session_open_per_address="5/minute"))
    client = make_app(limited).test_client()
    answers = [client.post("/v1/sessions", json={"token": f"guess-{i}"}).status_code
               for i in range(6)]
    assert answers == [401] * 5 + [429]
    keys = [k.decode() for k in redis.Redis.from_url(settings.redis_url).keys("*")]
    assert any("kcheck-rl" in k for k in keys)
    assert not any("127.0.0.1" in k or "guess" in k for k in keys)  # digests only


def test_a_second_tab_on_the_same_session_sees_the_same_state(person, app):
    person.through_document_type()
    other_tab = app.test_client()
    upload = other_tab.put("/v1/session/photos/id_front", data=images.plain_jpeg(),
                           content_type="image/jpeg", headers=person.headers)
    assert upload.status_code == 202
    state = person.call("GET", "/v1/session").get_json()
    assert state["photos"]["id_front"]["photo_id"] == upload.get_json()["photo_id"]


def test_the_person_sees_their_own_current_photo_and_nobody_elses(person, partner, person_for):
    person.through_document_type()
    assert person.call("GET", "/v1/session/photos/id_front/image").status_code == 404
    assert person.upload("id_front", images.plain_jpeg(seed=1)).status_code == 202
    first = person.call("GET", "/v1/session/photos/id_front/image")
    assert person.upload("id_front", images.plain_jpeg(seed=2)).status_code == 202
    second = person.call("GET", "/v1/session/photos/id_front/image")
    assert first.status_code == second.status_code == 200
    assert second.mimetype == "image/jpeg" and second.data[:2] == b"\xff\xd8"
    assert second.data != first.data  # the retake replaced the slot's photo
    assert second.headers["Cache-Control"] == "no-store"
    other = person_for(partner.open_case().get_json()["verification_url"])
    other.through_document_type()
    assert other.call("GET", "/v1/session/photos/id_front/image").status_code == 404
    assert person.client.get("/v1/session/photos/id_front/image").status_code == 401
