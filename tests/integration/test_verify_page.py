"""The /verify page as served: self-contained assets, a CSP it obeys, four languages, handoff QR."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

WEB = Path(__file__).parents[2] / "kcheck" / "web"


@pytest.fixture
def page(client):
    response = client.get("/verify", headers={"Accept-Language": "de-CH,de;q=0.9"})
    assert response.status_code == 200
    return response


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"#]+)"', html)


def test_page_loads_only_its_own_assets_and_needs_no_inline_code(page, client):
    html = page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    urls = asset_urls(html)
    assert urls and all(u.startswith("/verify/") for u in urls), urls
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html
    assert '<html lang="de">' in html
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = asset.get_data(as_text=True)
        assert not re.search(r"https?://", body), f"{url} refers to another origin"
    for script in (WEB / "static").glob("*.js"):
        text = script.read_text()
        assert "innerHTML" not in text and "setAttribute('style'" not in text, script.name


def test_versioned_assets_are_cached_and_change_with_their_content(page, client):
    css = next(u for u in asset_urls(page.get_data(as_text=True)) if u.endswith(".css") or
               ".css?" in u)
    assert "?v=" in css
    assert "immutable" in client.get(css).headers["Cache-Control"]
    assert page.headers["Cache-Control"] == "no-cache"


def test_every_language_has_every_string_the_page_uses():
    catalogues = {lang: json.loads((WEB / "i18n" / f"{lang}.json").read_text())
                  for lang in ("en", "fr", "de", "it")}
    used = set(re.findall(r'data-t="([^"]+)"', (WEB / "templates/verify/index.html").read_text()))
    script = (WEB / "static" / "verify.js").read_text()
    used |= set(re.findall(r"\bt\('([a-z_.]+)'", script))
    used |= set(re.findall(r"setText\([^,]+, '([a-z_.]+)'", script))
    for prefix in ("status.", "welcome.reason.", "slot.", "doctype.", "problem."):
        assert any(k.startswith(prefix) for k in catalogues["en"]), prefix
    for lang, strings in catalogues.items():
        assert used <= strings.keys(), (lang, used - strings.keys())
        assert strings.keys() == catalogues["en"].keys(), lang
        if lang != "en":
            same = [k for k in strings if strings[k] == catalogues["en"][k] and len(strings[k]) > 12]
            assert not same, (lang, same)  # left untranslated


def test_strings_are_served_per_language(client):
    french = client.get("/verify/i18n/fr.json")
    assert french.status_code == 200 and french.json["welcome.start"] == "Commencer"
    assert client.get("/verify/i18n/xx.json").status_code == 404


def decode_qr(png: bytes) -> str:
    from tests.images import read_qr

    return read_qr(png)


def test_handoff_qr_encodes_the_same_link_without_logging_the_token(partner, person_for, client,
                                                                   caplog):
    case = partner.open_case().get_json()
    token = case["verification_url"].split("#", 1)[1]
    with caplog.at_level(logging.DEBUG):
        response = client.post("/verify/handoff-qr", json={"token": token})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode_qr(response.data) == case["verification_url"]
    assert response.headers["Cache-Control"] == "no-store"
    assert token not in caplog.text
    # Once the link is used (on the phone), the desktop gets no code for it any more.
    assert person_for(case["verification_url"]).open().status_code == 201
    used = client.post("/verify/handoff-qr", json={"token": token})
    assert used.status_code == 401 and used.json["code"] == "link_invalid"


def test_handoff_qr_refuses_unknown_tokens_and_tokens_in_the_url(client):
    unknown = client.post("/verify/handoff-qr", json={"token": "A" * 43})
    assert unknown.status_code == 401 and unknown.json["code"] == "link_invalid"
    assert client.get("/verify/handoff-qr?token=abc").status_code == 405
    assert client.post("/verify/handoff-qr", data="x").status_code == 400
