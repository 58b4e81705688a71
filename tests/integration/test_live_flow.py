"""A scripted client, as a new integrator would write it, against a real server: gunicorn,
an RQ worker process, Redis, over HTTP. Includes the order system's resend path."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import requests

from tests.fixtures.documents import make_photo


def sms_code(live) -> str:
    return re.findall(r"\b(\d{6})\b", (live.root / "outbox.jsonl").read_text())[-1]


def test_order_system_path_and_every_step_over_http(live):
    key = live.api_key("order-system")
    partner = {"Authorization": f"Bearer {key}"}
    opened = requests.post(f"{live.url}/v1/cases", headers=partner, timeout=10, json={
        "reason": "order_unblock", "subject_ref": "order-991", "order_ref": "991"})
    assert opened.status_code == 201
    case = opened.json()
    resent = requests.post(f"{live.url}/v1/cases/{case['id']}/resend", headers=partner,
                           timeout=10).json()
    old = requests.post(f"{live.url}/v1/sessions", timeout=10,
                        json={"token": case["verification_url"].split("#")[1]})
    assert old.status_code == 401
    session = requests.post(f"{live.url}/v1/sessions", timeout=10,
                            json={"token": resent["verification_url"].split("#")[1]})
    assert session.status_code == 201
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {session.json()['session_token']}"
    assert http.post(f"{live.url}/v1/session/phone", json={"phone_number": "+41791234567"},
                     timeout=10).status_code == 202
    assert http.post(f"{live.url}/v1/session/phone/verify", json={"code": sms_code(live)},
                     timeout=10).status_code == 200
    located = http.post(f"{live.url}/v1/session/location", timeout=10, json={
        "latitude": 46.948, "longitude": 7.447, "accuracy_m": 20,
        "captured_at": datetime.now(UTC).isoformat()})
    assert located.json()["country"] == "CH"
    http.put(f"{live.url}/v1/session/document-type", json={"type": "id_card"}, timeout=10)
    for slot in ("id_front", "id_back", "selfie"):
        put = http.put(f"{live.url}/v1/session/photos/{slot}", data=make_photo(slot, seed=5),
                       headers={"Content-Type": "image/jpeg"}, timeout=30)
        assert put.status_code == 202
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            quality = http.get(f"{live.url}/v1/session/photos/{slot}", timeout=10).json()["quality"]
            if quality["status"] != "pending":
                break
            time.sleep(0.1)
        assert quality["status"] == "pass", (slot, quality)
    assert http.post(f"{live.url}/v1/session/submit", timeout=10).json()["status"] == "submitted"
    read = requests.get(f"{live.url}/v1/cases/{case['id']}", headers=partner, timeout=10).json()
    assert read["status"] == "submitted"
