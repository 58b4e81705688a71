"""`kcheck demo`: a scripted person and order system walking the whole flow over HTTP.

It talks to a running kcheck (`make run`) exactly as the mobile web page does, with generated
specimen photos, reads the SMS code from the development outbox and ends with the case in the
review queue. Nothing personal is printed: the demo's phone number and location are fixed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from kcheck.clock import SystemClock

DEMO_PHONE = "+41 79 123 45 67"
LAUSANNE = (46.5197, 6.6323)
MAX_UPLOADS = 4  # the first photo and three retakes; then the API accepts a flagged photo
VERDICT_TIMEOUT_S = 90


class Demo:
    """One run: an order system opens a case, then a person completes it."""

    def __init__(self, url: str, api_key: str, outbox: Path, echo=click.echo, clock=None):
        import requests

        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.partner = {"Authorization": f"Bearer {api_key}"}
        self.person: dict[str, str] = {}
        self.outbox = outbox
        self.clock = clock or SystemClock()
        self.echo = echo
        self.started = time.monotonic()

    def step(self, text: str) -> None:
        self.echo(f"[{time.monotonic() - self.started:5.1f}s] {text}")

    def call(self, method: str, path: str, expect: tuple[int, ...], headers=None, **kwargs):
        import requests

        try:
            response = self.http.request(method, self.url + path, headers=headers, timeout=30,
                                         **kwargs)
        except requests.ConnectionError:
            raise click.ClickException(
                f"cannot reach kcheck at {self.url}: start it with `make run`") from None
        if response.status_code not in expect:
            try:
                problem = response.json()
                detail = f"{problem.get('code')}: {problem.get('title')}"
            except ValueError:
                detail = response.text[:200]
            raise click.ClickException(f"{method} {path} answered {response.status_code} ({detail})")
        return response.json() if response.content else {}

    def run(self) -> str:
        case = self.open_case()
        token = case["verification_url"].split("#", 1)[1]
        opened = self.call("POST", "/v1/sessions", (201,), json={"token": token})
        self.person = {"Authorization": f"Bearer {opened['session_token']}"}
        self.step(f"person opened the link; next step: {opened['next_step']}")
        self.call("POST", "/v1/session/consent", (200,), self.person,
                  json={"terms": True, "biometric": True})
        self.step("consent given (terms and biometric comparison)")
        self.verify_phone()
        located = self.call("POST", "/v1/session/location", (200,), self.person, json={
            "latitude": LAUSANNE[0], "longitude": LAUSANNE[1], "accuracy_m": 15.0,
            "captured_at": self.clock.now().isoformat()})
        self.step(f"location shared; country found offline: {located['country']}")
        chosen = self.call("PUT", "/v1/session/document-type", (200,), self.person,
                           json={"type": "id_card"})
        self.step(f"document type: ID card; photos needed: {', '.join(chosen['required_slots'])}")
        for slot in chosen["required_slots"]:
            self.photograph(slot)
        submitted = self.call("POST", "/v1/session/submit", (200,), self.person)
        flagged = submitted.get("flagged_slots") or []
        self.step("submitted" + (f" with photos flagged for the reviewer: {', '.join(flagged)}"
                                 if flagged else " with every photo accepted"))
        final = self.call("GET", f"/v1/cases/{case['id']}", (200,), self.partner)
        self.step(f"order system sees case {case['id']}: status {final['status']}")
        return case["id"]

    def open_case(self) -> dict:
        reference = f"demo-order-{self.clock.now():%Y%m%d-%H%M%S}"
        case = self.call("POST", "/v1/cases", (201,), self.partner, json={
            "reason": "order_unblock", "subject_ref": reference, "order_ref": reference,
            "locale": "en"})
        self.step(f"order system opened case {case['id']} (order_unblock, {reference})")
        self.step(f"verification link for a phone: {self.url}/verify#…  (token not shown)")
        return case

    def verify_phone(self) -> None:
        before = len(self._outbox_messages())
        sent = self.call("POST", "/v1/session/phone", (202,), self.person,
                         json={"phone_number": DEMO_PHONE})
        self.step(f"SMS code requested for {DEMO_PHONE} (resend possible after "
                  f"{sent['resend_after_s']} s)")
        code = self._read_code(before)
        self.step(f"code read from the development outbox ({self.outbox})")
        self.call("POST", "/v1/session/phone/verify", (200,), self.person, json={"code": code})
        self.step("phone number verified")

    def _outbox_messages(self) -> list[dict]:
        from kcheck.adapters.sms import OutboxSms

        return OutboxSms(self.outbox).messages() if self.outbox.exists() else []

    def _read_code(self, seen: int) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for message in reversed(self._outbox_messages()[seen:]):
                match = re.search(r"\b(\d{6})\b", message["body"])
                if match:
                    return match.group(1)
            time.sleep(0.2)
        raise click.ClickException(
            f"no SMS code in {self.outbox}: the demo needs SMS_BACKEND=outbox and the same "
            "SMS_OUTBOX_PATH as the server (or --outbox)")

    def photograph(self, slot: str) -> None:
        from kcheck.demo_images import demo_photo

        for upload in range(1, MAX_UPLOADS + 1):
            photo = demo_photo(slot, seed=upload - 1)
            self.call("PUT", f"/v1/session/photos/{slot}", (202,),
                      {**self.person, "Content-Type": "image/jpeg"}, data=photo)
            quality = self._verdict(slot)
            reasons = ", ".join(quality.get("reasons") or []) or "none"
            self.step(f"photo {slot} (upload {upload}, {len(photo) // 1024} KB): "
                      f"verdict {quality['status']}; reasons: {reasons}")
            if quality["status"] == "pass":
                return
            self.step(f"  message shown to the person: {quality.get('message')}")
        self.step(f"  {slot} kept after {MAX_UPLOADS - 1} retakes; the reviewer sees it flagged")

    def _verdict(self, slot: str) -> dict:
        deadline = time.monotonic() + VERDICT_TIMEOUT_S
        while time.monotonic() < deadline:
            photo = self.call("GET", f"/v1/session/photos/{slot}", (200,), self.person)
            if photo["quality"]["status"] != "pending":
                return photo["quality"]
            time.sleep(0.5)
        raise click.ClickException(
            f"no quality verdict for {slot} after {VERDICT_TIMEOUT_S} s: is a worker running "
            "(`kcheck worker`)?")


def _default_key() -> str:
    path = Path("var/dev-api-key.txt")
    if not path.exists():
        raise click.ClickException("no --api-key and no var/dev-api-key.txt: run `make run` first "
                                   "or create a key with `kcheck apikey create --name demo`")
    return path.read_text().strip()


def _default_outbox() -> Path:
    from kcheck.settings import Settings, SettingsError

    try:
        return Settings.load().sms_outbox_path
    except SettingsError:
        return Settings.sms_outbox_path


@click.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True,
              help="Base URL of a running kcheck.")
@click.option("--api-key", default=None, help="Partner API key (default: var/dev-api-key.txt).")
@click.option("--outbox", type=click.Path(path_type=Path), default=None,
              help="Development SMS outbox (default: SMS_OUTBOX_PATH).")
def demo(url: str, api_key: str | None, outbox: Path | None) -> None:
    """Run the whole verification over HTTP with generated photos; ends in the review queue."""
    case_id = Demo(url, api_key or _default_key(), outbox or _default_outbox()).run()
    click.echo(f"\ncase {case_id} is in the review queue: open {url.rstrip('/')}/review/ to decide it")
