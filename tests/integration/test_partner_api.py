"""The order system's view: open a case, read it, QR codes, resend, cancel, idempotency."""

from __future__ import annotations

from kcheck import apikeys


def test_open_case_returns_link_qr_urls_and_order_unblock_expiry(partner, clock):
    response = partner.open_case(reason="order_unblock", subject_ref="order-1", order_ref="o-1")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "created"
    assert body["verification_url"].startswith("http://kcheck.test/verify#")
    token = body["verification_url"].split("#", 1)[1]
    assert len(token) >= 22  # at least 128 bits, base64url
    assert body["qr_png_url"].endswith(f"/v1/cases/{body['id']}/qr.png")
    assert body["expires_at"].startswith("2026-12-05T09:00")  # 10 days for an order unblock


def test_case_read_never_shows_personal_data(partner):
    created = partner.open_case(expected_name="Élise Müller").get_json()
    body = partner.get(f"/v1/cases/{created['id']}").get_json()
    assert "Müller" not in str(body) and "verification_url" not in body
    assert body["decision"] is None and body["data_purged_at"] is None


def test_qr_codes_encode_the_current_link(partner):
    from tests.images import read_qr

    created = partner.open_case().get_json()
    png = partner.get(created["qr_png_url"].replace("http://kcheck.test", ""))
    assert png.status_code == 200 and png.mimetype == "image/png"
    # Read as a phone would (margin, sizes, both detectors): one OpenCV detector alone misses
    # a few percent of valid codes, which made this test flaky.
    assert read_qr(png.data) == created["verification_url"]
    svg = partner.get(f"/v1/cases/{created['id']}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data


def test_resend_rotates_the_link(partner, person_for):
    created = partner.open_case().get_json()
    resent = partner.post(f"/v1/cases/{created['id']}/resend")
    assert resent.status_code == 200
    new_url = resent.get_json()["verification_url"]
    assert new_url != created["verification_url"]
    assert person_for(created["verification_url"]).open().status_code == 401
    assert person_for(new_url).open().status_code == 201


def test_idempotency_key_returns_the_same_case(partner):
    headers = {**partner.headers, "Idempotency-Key": "order-1-attempt"}
    body = {"reason": "password_reset", "subject_ref": "acct-9"}
    first = partner.client.post("/v1/cases", json=body, headers=headers)
    second = partner.client.post("/v1/cases", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    other = partner.client.post("/v1/cases", json={**body, "subject_ref": "acct-10"},
                                headers=headers)
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_mismatch"


def test_a_key_only_sees_its_own_cases(partner, client, svc):
    created = partner.open_case().get_json()
    with svc.transaction() as session:
        other = apikeys.create(session, "support", ["cases:read", "cases:write"], svc.now(),
                               svc.settings.master_key).key
    response = client.get(f"/v1/cases/{created['id']}", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404
    cancel = client.post(f"/v1/cases/{created['id']}/cancel",
                         headers={"Authorization": f"Bearer {other}"})
    assert cancel.status_code == 404


def test_scopes_are_enforced(client, svc):
    with svc.transaction() as session:
        read_only = apikeys.create(session, "reporting", ["cases:read"], svc.now(),
                                   svc.settings.master_key).key
    response = client.post("/v1/cases", json={"reason": "other", "subject_ref": "x"},
                           headers={"Authorization": f"Bearer {read_only}"})
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"


def test_revoked_and_wrong_keys_are_refused(partner, client, svc, api_key):
    from kcheck.models import ApiClient

    assert client.post("/v1/cases", json={}).status_code == 401
    bad = client.get("/v1/cases/x", headers={"Authorization": "Bearer kck_nothere_abc"})
    assert bad.status_code == 401 and bad.mimetype == "application/problem+json"
    with svc.transaction() as session:
        for c in session.query(ApiClient):
            c.revoked_at = svc.now()
    assert partner.open_case().status_code == 401


def test_cancel_is_final_and_idempotent(partner, person_for):
    created = partner.open_case().get_json()
    assert partner.post(f"/v1/cases/{created['id']}/cancel").get_json()["status"] == "cancelled"
    assert partner.post(f"/v1/cases/{created['id']}/cancel").status_code == 200
    assert partner.post(f"/v1/cases/{created['id']}/resend").status_code == 409
    assert person_for(created["verification_url"]).open().status_code == 401
    events = partner.get(f"/v1/cases/{created['id']}/events").get_json()["events"]
    assert [e["type"] for e in events] == ["case.opened", "case.cancelled"]


def test_validation_errors_name_fields_without_echoing_values(partner):
    response = partner.open_case(reason="steal_account", subject_ref="x",
                                 callback_url="not a url +41791234567")
    body = response.get_json()
    assert response.status_code == 422
    assert {e["field"] for e in body["errors"]} == {"reason", "callback_url"}
    assert "+41791234567" not in response.get_data(as_text=True)


def test_problem_titles_are_localized(partner):
    response = partner.client.post("/v1/cases", json={"reason": 3}, headers={
        **partner.headers, "Accept-Language": "fr-CH,fr;q=0.9"})
    assert response.get_json()["title"] == "Des champs manquent ou sont invalides."
    assert response.headers["Content-Language"] == "fr"


def test_non_json_and_huge_bodies(partner):
    response = partner.client.post("/v1/cases", data="reason=x", headers=partner.headers,
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    huge = partner.client.post("/v1/cases", data=b"{" + b" " * (17 * 1024 * 1024) + b"}",
                               headers=partner.headers, content_type="application/json")
    assert huge.status_code == 413


def test_production_refuses_a_plain_http_callback_url(make_app, settings, api_key):
    import dataclasses

    from tests.actors import Partner

    app = make_app(dataclasses.replace(settings, env="production",
                                       public_url="https://kcheck.test"))
    partner = Partner(app.test_client(), api_key)
    refused = partner.open_case(callback_url="http://orders.example.test/hooks")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "callback_url"
    assert partner.open_case(callback_url="https://orders.example.test/hooks").status_code == 201
