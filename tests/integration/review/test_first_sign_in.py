"""A new staff member's first sign-in: the TOTP enrolment QR in the page, a forced password
change, and a review UI that speaks the browser's language until one is chosen."""

from __future__ import annotations

import base64
import re

import pyotp

from tests import images
from tests.integration.review.conftest import Reviewer

NEW_PASSWORD = "correct horse battery staple"


def qr_text(html: str) -> str:
    """Decode the QR code the page shows, as a phone's authenticator app would."""
    data = re.search(r'class="totp-qr" src="data:image/png;base64,([^"]+)"', html).group(1)
    return images.read_qr(base64.b64decode(data))


def test_first_sign_in_enrols_the_app_from_the_page_and_replaces_the_password(
        app, clock, enrol):
    enrolment = enrol("new@example.test", set_up=False)
    member = Reviewer(app, clock, enrolment)
    member.get("/review/login")
    first = member.submit("/review/login", {"email": enrolment.email,
                                            "password": enrolment.password, "code": ""})
    assert first.status_code == 302 and first.headers["Location"].endswith("/review/setup")
    # Nothing else is reachable before the setup is done.
    assert member.get("/review/").headers["Location"].endswith("/review/setup")
    page = member.get("/review/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Set up your account" in html
    uri = qr_text(html)
    assert uri.startswith("otpauth://totp/kcheck:new%40example.test?")
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    assert secret == enrolment.totp_secret and secret in html  # typed by hand if need be

    wrong = member.submit("/review/setup", {"code": "000000" if pyotp.TOTP(secret).at(
        clock.now()) != "000000" else "111111", "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD})
    assert wrong.status_code == 400 and "authentication code is wrong" in wrong.get_data(
        as_text=True)
    code = pyotp.TOTP(secret).at(clock.now())
    member.get("/review/setup")
    short = member.submit("/review/setup", {"code": code, "password": "short",
                                            "password_again": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    member.get("/review/setup")
    same = member.submit("/review/setup", {"code": code, "password": enrolment.password,
                                           "password_again": enrolment.password})
    assert same.status_code == 400 and "not the one you received" in same.get_data(as_text=True)
    member.get("/review/setup")
    done = member.submit("/review/setup", {"code": code, "password": NEW_PASSWORD,
                                           "password_again": NEW_PASSWORD})
    assert done.status_code == 303 and "notice=setup_done" in done.headers["Location"]
    queue = member.get("/review/?notice=setup_done")
    assert queue.status_code == 200 and "Your account is ready" in queue.get_data(as_text=True)

    clock.advance(seconds=60)  # a fresh TOTP step for the next sign-in
    again = Reviewer(app, clock, enrolment)
    assert again.login().status_code == 401  # the one-time password is gone
    assert again.login(password=NEW_PASSWORD).status_code == 302
    assert again.get("/review/").status_code == 200
    # Once enrolled, a password alone never opens a session again.
    other = Reviewer(app, clock, enrolment)
    other.get("/review/login")
    assert other.submit("/review/login", {"email": enrolment.email, "password": NEW_PASSWORD,
                                          "code": ""}).status_code == 401


def test_the_review_ui_follows_the_browser_language_until_one_is_chosen(reviewer):
    french = reviewer.get("/review/", headers={"Accept-Language": "fr-CH,fr;q=0.9,en;q=0.5"})
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert "Se déconnecter" in french.get_data(as_text=True)
    english = reviewer.get("/review/", headers={"Accept-Language": "en-GB"})
    assert "Sign out" in english.get_data(as_text=True)
    reviewer.submit("/review/language", {"locale": "en", "next": "/review/"})
    chosen = reviewer.get("/review/", headers={"Accept-Language": "fr-CH"})
    assert "Sign out" in chosen.get_data(as_text=True)  # the choice wins over the browser
