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


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (images.html_as_jpeg(), "image/jpeg", 415, "not_an_image"),
    (images.truncated_jpeg(), "image/jpeg", 415, "not_an_image"),
    (images.svg_with_script(), "image/jpeg", 415, "not_an_image"),
    (images.animated_gif(), "image/jpeg", 415, "unsupported_format"),
    (images.png_bomb(), "image/png", 413, "too_large"),
    (images.plain_jpeg(), "image/gif", 415, "unsupported_format"),
    (images.plain_jpeg(400, 300), "image/jpeg", 422, "low_resolution"),
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
    from kcheck.vault import Vault

    person.through_document_type()
    with svc.transaction() as session:
        row = session.get(Case, case["id"])
        row.status = "resubmission_requested"
        row.resubmission_slots = ["id_front"]
        row.resubmission_message = Vault(svc.settings.master_key, svc.storage).seal_value(
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


def test_opening_sessions_is_rate_limited_per_address(client, settings):
    import redis

    answers = [client.post("/v1/sessions", json={"token": f"guess-{i}"}).status_code
               for i in range(21)]
    assert answers[:20] == [401] * 20 and answers[20] == 429
    limited = client.post("/v1/sessions", json={"token": "guess"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["code"] == "rate_limited"
    keys = [k.decode() for k in redis.Redis.from_url(settings.redis_url).keys("*")]
    assert any("kcheck-rl" in k for k in keys)
    assert not any("127.0.0.1" in k for k in keys)  # addresses are kept as keyed digests


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
