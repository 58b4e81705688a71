"""Test actors that speak the HTTP API like real clients: the order system and the person."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import outbox_code


class Partner:
    def __init__(self, client, key: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def open_case(self, **body):
        body.setdefault("reason", "order_unblock")
        body.setdefault("subject_ref", "order-4711")
        return self.client.post("/v1/cases", json=body, headers=self.headers)

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers=self.headers, **kwargs)


class Person:
    """The person on their phone: one session, the steps in order."""

    PHONE = "+41 79 123 45 67"

    def __init__(self, client, settings, clock, token: str):
        self.client = client
        self.settings = settings
        self.clock = clock
        self.token = token
        self.headers: dict[str, str] = {}

    def open(self):
        response = self.client.post("/v1/sessions", json={"token": self.token})
        if response.status_code == 201:
            self.headers = {"Authorization": f"Bearer {response.json['session_token']}"}
        return response

    def call(self, method: str, path: str, **kwargs):
        return self.client.open(path, method=method, headers=self.headers, **kwargs)

    def request_code(self, phone: str = PHONE):
        return self.call("POST", "/v1/session/phone", json={"phone_number": phone})

    def verify(self, code: str | None = None):
        return self.call("POST", "/v1/session/phone/verify",
                         json={"code": code or outbox_code(self.settings)})

    def locate(self, lat: float = 46.5197, lon: float = 6.6323, age_s: int = 5):
        captured = (self.clock.now() - timedelta(seconds=age_s)).isoformat()
        return self.call("POST", "/v1/session/location", json={
            "latitude": lat, "longitude": lon, "accuracy_m": 12.5, "captured_at": captured})

    def choose(self, document_type: str = "id_card"):
        return self.call("PUT", "/v1/session/document-type", json={"type": document_type})

    def upload(self, slot: str, data: bytes, content_type: str = "image/jpeg"):
        return self.call("PUT", f"/v1/session/photos/{slot}", data=data,
                         content_type=content_type)

    def through_document_type(self, document_type: str = "id_card") -> None:
        """Open the session and complete every step before the photos."""
        for response in (self.open(), self.request_code(), self.verify(), self.locate(),
                         self.choose(document_type)):
            assert response.status_code in (200, 201, 202), response.get_json()
