"""Which callback URLs the webhook sender will fetch."""

from __future__ import annotations

import pytest

from kcheck.workers.webhooks import callback_allowed


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "http:///x",
                                 "javascript:alert(1)", "", None])
def test_only_absolute_http_urls_are_fetched(url):
    assert not callback_allowed(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook",
                                 "https://10.1.2.3/hook", "http://169.254.169.254/latest",
                                 "http://[::1]/hook", "http://192.168.0.10/hook"])
def test_production_refuses_internal_addresses(url):
    assert callback_allowed(url)  # development and tests post to loopback receivers
    assert not callback_allowed(url, public_only=True)


def test_production_accepts_a_public_address():
    assert callback_allowed("https://8.8.8.8/hook", public_only=True)
