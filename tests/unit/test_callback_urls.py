"""Which callback URLs the webhook sender will fetch, and which address it connects to."""

from __future__ import annotations

import pytest

from kcheck.adapters.egress import EgressPolicy, EgressRefused

DEVELOPMENT = EgressPolicy()
PRODUCTION = EgressPolicy(public_only=True, https_only=True)


def allowed(policy: EgressPolicy, url: str | None) -> bool:
    try:
        parts = policy.check_url(url)
        policy.resolve(parts.hostname, parts.port or 443)
    except EgressRefused:
        return False
    return True


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "http:///x",
                                 "javascript:alert(1)", "http://x:99999/hook", "", None])
def test_only_absolute_http_urls_are_fetched(url):
    assert not allowed(DEVELOPMENT, url)


@pytest.mark.parametrize("url", ["https://127.0.0.1:8080/hook", "https://localhost/hook",
                                 "https://10.1.2.3/hook", "https://169.254.169.254/latest",
                                 "https://[::1]/hook", "https://192.168.0.10/hook"])
def test_production_refuses_internal_addresses(url):
    assert allowed(DEVELOPMENT, url)  # development and tests post to loopback receivers
    assert not allowed(PRODUCTION, url)


def test_production_accepts_a_public_https_address_and_refuses_plain_http():
    assert allowed(PRODUCTION, "https://8.8.8.8/hook")
    assert not allowed(PRODUCTION, "http://8.8.8.8/hook")
    assert allowed(DEVELOPMENT, "http://8.8.8.8/hook")
