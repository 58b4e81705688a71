"""Support staff in Chromium against a live system: sign in with TOTP, queue, case page,
photos, approve / reject / request new photos (up to the person's re-upload), and a second
reviewer's conflicting decision. Screenshots go to tests/artifacts/<test name>/."""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import images
from tests.browser.axe import blocking_violations
from tests.fixtures.documents import make_photo

TIMEOUT = 10


@dataclass
class StaffLogin:
    email: str
    password: str
    secret: str


def create_staff(live, email: str, role: str) -> StaffLogin:
    out = live.kcheck("staff", "create", "--email", email, "--role", role, "--dev").stdout
    return StaffLogin(email, re.search(r"password:\s+(\S+)", out).group(1),
                      re.search(r"TOTP secret:\s+([A-Z2-7]+)", out).group(1))


class PersonOverHttp:
    """The person's mobile client, speaking the intake API."""

    def __init__(self, live, verification_url: str):
        self.live = live
        self.http = requests.Session()
        opened = self.http.post(f"{live.url}/v1/sessions", timeout=TIMEOUT,
                                json={"token": verification_url.split("#", 1)[1]})
        assert opened.status_code == 201, opened.text
        self.http.headers["Authorization"] = f"Bearer {opened.json()['session_token']}"

    def call(self, method: str, path: str, **kwargs):
        return self.http.request(method, f"{self.live.url}{path}", timeout=30, **kwargs)

    def through_photos(self) -> None:
        assert self.call("POST", "/v1/session/phone",
                         json={"phone_number": "+41791234567"}).status_code == 202
        code = re.findall(r"\b(\d{6})\b", (self.live.root / "outbox.jsonl").read_text())[-1]
        assert self.call("POST", "/v1/session/phone/verify", json={"code": code}).ok
        assert self.call("POST", "/v1/session/location", json={
            "latitude": 46.948, "longitude": 7.447, "accuracy_m": 20,
            "captured_at": datetime.now(UTC).isoformat()}).ok
        assert self.call("PUT", "/v1/session/document-type", json={"type": "id_card"}).ok
        for slot in ("id_front", "id_back", "selfie"):
            self.upload(slot)

    def upload(self, slot: str, seed: int = 5) -> None:
        put = self.call("PUT", f"/v1/session/photos/{slot}", data=make_photo(slot, seed=seed),
                        headers={"Content-Type": "image/jpeg"})
        assert put.status_code == 202, put.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            quality = self.call("GET", f"/v1/session/photos/{slot}").json()["quality"]
            if quality["status"] != "pending":
                break
            time.sleep(0.1)
        assert quality["status"] == "pass", (slot, quality)

    def submit(self) -> dict:
        response = self.call("POST", "/v1/session/submit")
        assert response.status_code == 200, response.text
        return response.json()


def submitted_case(live) -> tuple[str, PersonOverHttp, dict]:
    """Open a case as the order system, walk the person's steps, submit; returns the case id."""
    partner = {"Authorization": f"Bearer {live.api_key('order-system')}"}
    opened = requests.post(f"{live.url}/v1/cases", headers=partner, timeout=TIMEOUT, json={
        "reason": "order_unblock", "subject_ref": "order-991", "order_ref": "991",
        "expected_name": "Anna Muster"})
    assert opened.status_code == 201, opened.text
    person = PersonOverHttp(live, opened.json()["verification_url"])
    person.through_photos()
    person.submit()
    return opened.json()["id"], person, partner


def sign_in(browser, live, who: StaffLogin, **context):
    """Sign in with password and TOTP code; a first sign-in also sets the staff member's own
    password, as the review UI asks before anything else."""
    page = browser.new_context(**{"locale": "en-GB", **context}).new_page()
    page.goto(f"{live.url}/review/")
    page.get_by_label("E-mail").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_label("Authentication code").fill(pyotp.TOTP(who.secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("Cases waiting for review|Set up your account")
                     ).wait_for()
    if page.get_by_role("heading", name="Set up your account").is_visible():
        who.password = f"{who.password}-mine-now"
        page.get_by_label("New password", exact=True).fill(who.password)
        page.get_by_label("New password again").fill(who.password)
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("heading", name="Cases waiting for review").wait_for()
    return page


def open_case(page, case_id: str) -> None:
    page.get_by_role("link", name=f"Open case {case_id[:8]}").click()
    page.get_by_role("heading", name=f"Case {case_id[:8]}").wait_for()


def image_loaded(page, name: str) -> bool:
    """The image arrived and decoded (waits for it: a loaded machine serves photos slowly)."""
    handle = page.get_by_role("img", name=name).element_handle()
    try:
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle,
                               timeout=20_000)
    except PlaywrightTimeout:
        return False
    return True


def partner_status(live, partner, case_id: str) -> str:
    return requests.get(f"{live.url}/v1/cases/{case_id}", headers=partner,
                        timeout=TIMEOUT).json()["status"]


def test_sign_in_with_totp_open_a_case_view_a_photo_and_approve(live, launch_browser,
                                                                   screenshots):
    who = create_staff(live, "anna@kcheck.test", "reviewer")
    case_id, _person, partner = submitted_case(live)
    page = sign_in(launch_browser(), live, who)
    row = page.get_by_role("row").filter(has=page.get_by_role("link",
                                                              name=f"Open case {case_id[:8]}"))
    assert "Blocked order" in row.inner_text() and "3 passed" in row.inner_text()
    screenshots(page, "queue")
    open_case(page, case_id)
    assert page.get_by_text("+41 79 *** ** 67").is_visible()
    assert page.get_by_text("Anna Muster").is_visible()
    for slot in ("Front of the ID card", "Back of the ID card", "Selfie holding the document"):
        assert image_loaded(page, f"Photo: {slot}")
    screenshots(page, "case")
    photo_path = page.get_by_role("img", name="Photo: Front of the ID card").get_attribute("src")
    photo = page.goto(live.url + photo_path)  # the photo alone, as "open image in new tab"
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["cache-control"] == "no-store"
    assert photo.headers["x-content-type-options"] == "nosniff"
    screenshots(page, "photo")
    page.go_back()
    page.get_by_label("Reason for approval").select_option(label="Identity confirmed")
    page.get_by_role("button", name="Approve", exact=True).click()
    assert page.get_by_role("status").inner_text().strip() == "The case was approved."
    assert page.get_by_text("No case is waiting.").is_visible()
    screenshots(page, "approved")
    assert partner_status(live, partner, case_id) == "approved"


def test_reject_and_a_second_reviewers_conflicting_decision(live, launch_browser, screenshots):
    anna = create_staff(live, "anna@kcheck.test", "reviewer")
    ben = create_staff(live, "ben@kcheck.test", "admin")
    case_id, _person, partner = submitted_case(live)
    browser = launch_browser()
    first, second = sign_in(browser, live, anna), sign_in(browser, live, ben)
    open_case(first, case_id)
    open_case(second, case_id)  # both reviewers look at the same case
    first.get_by_role("button", name="Reject", exact=True).click()
    assert "a decision without a reason is refused" in first.get_by_role("alert").inner_text()
    screenshots(first, "reason-required")
    first.get_by_label("Reason for rejection").select_option(label="Document expired")
    first.get_by_label("Note for the rejection").fill("expired in 2019")
    first.get_by_role("button", name="Reject", exact=True).click()
    assert first.get_by_role("status").inner_text().strip() == "The case was rejected."
    second.get_by_label("Reason for approval").select_option(label="Identity confirmed")
    second.get_by_role("button", name="Approve", exact=True).click()
    alert = second.get_by_role("alert")
    assert "Another reviewer decided this case first (Rejected)" in alert.inner_text()
    assert "Your decision was not recorded." in alert.inner_text()
    screenshots(second, "conflict")
    assert partner_status(live, partner, case_id) == "rejected"
    second.get_by_role("link", name="Audit trail").click()  # ben is an admin
    trail = second.get_by_role("table").inner_text()  # the admin's technical log keeps codes
    assert "case.decided" in trail and "staff.login" in trail and "photo.viewed" in trail
    assert "anna@kcheck.test" in trail and "+41" not in trail
    screenshots(second, "audit-trail")


def test_request_new_photos_up_to_the_persons_new_upload(live, launch_browser, screenshots):
    who = create_staff(live, "anna@kcheck.test", "reviewer")
    case_id, person, partner = submitted_case(live)
    page = sign_in(launch_browser(), live, who)
    open_case(page, case_id)
    page.get_by_role("button", name="Claim this case").click()
    assert "You claimed this case" in page.get_by_role("status").inner_text()
    page.get_by_role("group", name="Photos to retake").get_by_role(
        "checkbox", name="Selfie holding the document").check()
    page.get_by_label("Reason for new photos").select_option(label="Selfie without the document")
    page.get_by_label("Message to the person").fill("Please hold your ID card next to your face.")
    screenshots(page, "request-form")
    page.get_by_role("button", name="Request new photos").click()
    assert "New photos were requested" in page.get_by_role("status").inner_text()
    session = person.call("GET", "/v1/session").json()
    assert session["status"] == "resubmission_requested"
    assert session["resubmission_slots"] == ["selfie"] and session["next_step"] == "photos"
    assert partner_status(live, partner, case_id) == "resubmission_requested"
    person.upload("selfie", seed=6)
    assert person.submit()["status"] == "submitted"
    page.reload()
    open_case(page, case_id)
    selfie = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name="Selfie holding the document"))
    assert "attempt 2" in selfie.inner_text()
    assert image_loaded(page, "Photo: Selfie holding the document")
    screenshots(page, "resubmitted")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.get_by_role("heading", name=f"Dossier {case_id[:8]}").wait_for()
    assert page.get_by_role("button", name="Approuver", exact=True).is_visible()
    screenshots(page, "french")


DESKTOP = {"viewport": {"width": 1280, "height": 800}}
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\b")
EMAIL = re.compile(r"\S+@\S+")


def in_view(page, locator) -> bool:
    page.wait_for_load_state("load")  # laid out with its style sheet, not before it arrives
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])


def raw_codes(page) -> list[str]:
    """Codes shown as text (`not_compared`, `case.viewed`, `api_client`), e-mails aside."""
    return RAW_CODE.findall(EMAIL.sub("", page.locator("main").inner_text()))


def test_a_case_is_decided_on_one_1280x800_screen(live, launch_browser, screenshots):
    who = create_staff(live, "anna@kcheck.test", "reviewer")
    case_id, _person, _partner = submitted_case(live)
    page = sign_in(launch_browser(), live, who, **DESKTOP)
    assert blocking_violations(page, "review-queue") == []
    screenshots(page, "queue-desktop")
    open_case(page, case_id)
    slots = ("Front of the ID card", "Back of the ID card", "Selfie holding the document")
    for slot in slots:
        assert image_loaded(page, f"Photo: {slot}")
    buttons = [page.get_by_role("button", name=name, exact=True)
               for name in ("Approve", "Reject", "Request new photos")]
    photos = [page.get_by_role("img", name=f"Photo: {slot}") for slot in slots]
    assists = page.get_by_role("heading", name="Document checks")
    page.screenshot(path=str(screenshots(page, "case-desktop").with_name("case-viewport.png")))
    outside = {str(item): item.bounding_box() for item in [*buttons, *photos, assists]
               if not in_view(page, item)}
    assert outside == {}
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\ncase page: {height} px tall at 1280x800; decision and photos in the first screen")
    assert blocking_violations(page, "review-case") == []
    # Read down to the history: the decision panel stays in view.
    page.get_by_role("heading", name="History").scroll_into_view_if_needed()
    assert all(in_view(page, button) for button in buttons)
    page.evaluate("window.scrollTo(0, 0)")

    # A thumbnail opens a zoom; the annotated overlay is a toggle inside it.
    page.get_by_role("img", name="Photo: Front of the ID card").click()
    zoom = page.get_by_role("dialog", name="Front of the ID card")
    zoom.wait_for()
    big = zoom.get_by_role("img", name="Photo: Front of the ID card")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=big.element_handle())
    overlay = zoom.get_by_role("button", name="Show the annotated overlay")
    overlay.click()
    assert overlay.get_attribute("aria-pressed") == "true"
    assert "/preview" in big.get_attribute("src")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=big.element_handle())
    assert blocking_violations(page, "review-case-zoom") == []
    screenshots(page, "zoom-overlay")
    page.keyboard.press("Escape")
    assert not zoom.is_visible()

    # Words for people, and one time format on the page, in English and French.
    assert raw_codes(page) == []
    text = page.locator("main").inner_text()
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|UTC", text)
    assert "Case viewed" in text and "Requesting system" in text and "Photo sent" in text
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.get_by_role("heading", name=f"Dossier {case_id[:8]}").wait_for()
    assert raw_codes(page) == []
    screenshots(page, "case-desktop-french")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, same content
    assert in_view(page, page.get_by_role("heading", name=f"Dossier {case_id[:8]}"))
    screenshots(page, "case-phone-french")
    page.get_by_role("link", name="File", exact=True).click()
    screenshots(page, "queue-phone-french")


def test_sign_out_stays_on_the_header_row_at_1280_px(live, launch_browser, screenshots):
    who = create_staff(live, "a.very.long.name.for.an.administrator@kcheck.test", "admin")
    page = sign_in(launch_browser(), live, who, **DESKTOP)
    for language, sign_out in (("en", "Sign out"), ("fr", "Se déconnecter")):
        page.get_by_label(re.compile("^(Language|Langue)$")).select_option(language)
        # Measured on the page the change leads to, once it has loaded with its style sheet:
        # the page being left may still be laid out without it.
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name=re.compile("^(Change language|Changer de langue)$")
                             ).click()
        button = page.get_by_role("button", name=sign_out)
        brand = page.get_by_text("kcheck ·")
        button.wait_for()
        header = page.locator("header.top").bounding_box()
        assert abs(button.bounding_box()["y"] - brand.bounding_box()["y"]) < 16
        assert header["height"] < 56, header
        assert in_view(page, button)
        screenshots(page, f"header-{language}")


def test_first_sign_in_shows_the_totp_qr_and_asks_for_a_new_password(live, launch_browser,
                                                                     screenshots):
    """A new reviewer with a fr-CH browser: the pages speak French without being asked to, the
    enrolment QR code is on the page, and the one-time password must be replaced."""
    who = create_staff(live, "new@kcheck.test", "reviewer")
    page = launch_browser().new_context(locale="fr-CH", **DESKTOP).new_page()
    page.goto(f"{live.url}/review/")
    assert blocking_violations(page, "review-login") == []
    screenshots(page, "login")
    page.get_by_label("E-mail").fill(who.email)
    page.get_by_label("Mot de passe").fill(who.password)
    page.get_by_role("button", name="Se connecter").click()  # no code yet: nothing enrolled
    page.get_by_role("heading", name="Configurer votre compte").wait_for()
    qr = page.get_by_role("img", name=re.compile("QR"))
    uri = images.read_qr(base64.b64decode(qr.get_attribute("src").split(",", 1)[1]))
    assert uri.startswith("otpauth://totp/kcheck:new%40kcheck.test?")
    assert f"secret={who.secret}" in uri
    assert blocking_violations(page, "review-setup") == []
    screenshots(page, "setup")
    page.get_by_label("Code affiché par l'application").fill(pyotp.TOTP(who.secret).now())
    page.get_by_label("Nouveau mot de passe", exact=True).fill("my own passphrase 42")
    page.get_by_label("Nouveau mot de passe (encore)").fill("my own passphrase 42")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("heading", name="Dossiers à examiner").wait_for()  # French, unasked
    assert "Votre compte est prêt" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    screenshots(page, "after-setup")
