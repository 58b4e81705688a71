"""Outbound HTTP to requesters' callback URLs. The host is resolved once, the address is checked,
and the connection goes to that very address (TLS still verifies the certificate for the host
name), so a DNS answer that changes between check and connect (rebinding) reaches nothing
else. With an egress proxy configured, the proxy connects and enforces the network policy."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

REFUSED = "callback_url_refused"  # the policy forbids this URL: never fetched, never retried


class EgressRefused(Exception):
    """The URL may not be fetched; ``reason`` is a stable code recorded with the attempt."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EgressFailed(Exception):
    """The request could not be completed; ``kind`` names the transport error's type."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class EgressPolicy:
    """Production: public addresses only and https only. ``proxy_url`` sends every request
    through the operator's egress proxy instead of connecting directly."""

    public_only: bool = False
    https_only: bool = False
    proxy_url: str = ""
    ca_certs: str = certifi.where()  # the authorities trusted for receivers' certificates

    @classmethod
    def from_settings(cls, settings) -> EgressPolicy:
        return cls(public_only=settings.production, https_only=settings.production,
                   proxy_url=settings.egress_proxy_url)

    def check_url(self, url: str | None):
        """The URL's parts if its form is allowed (absolute http(s), https in production)."""
        if not url:
            raise EgressRefused(REFUSED)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise EgressRefused(REFUSED) from None
        schemes = ("https",) if self.https_only else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise EgressRefused(REFUSED)
        return parts

    def resolve(self, host: str, port: int) -> str:
        """The one address this request will connect to, checked against the policy."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise EgressRefused("callback_host_unresolved") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        if not addresses:
            raise EgressRefused("callback_host_unresolved")
        if self.public_only and not all(a.is_global and not a.is_multicast for a in addresses):
            raise EgressRefused(REFUSED)
        return str(addresses[0])

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
        """POST without following redirects or reading the answer; returns the status code."""
        parts = self.check_url(url)
        timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": self.ca_certs}
        try:
            if self.proxy_url:
                with urllib3.ProxyManager(self.proxy_url, timeout=timeout, retries=False,
                                          **tls) as proxy:
                    return _send(proxy, url, body, headers)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = self.resolve(parts.hostname, port)
            if parts.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address, port, timeout=timeout, retries=False, server_hostname=parts.hostname,
                    assert_hostname=parts.hostname, **tls)
            else:
                pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
            with pool:
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                return _send(pool, target, body, {**headers, "host": parts.netloc.rpartition(
                    "@")[2]})
        except urllib3.exceptions.HTTPError as exc:
            raise EgressFailed(type(exc).__name__) from None


def _send(pool, target: str, body: bytes, headers: dict[str, str]) -> int:
    response = pool.urlopen("POST", target, body=body, headers=headers, redirect=False,
                            retries=False, preload_content=False, assert_same_host=False)
    try:
        return response.status
    finally:
        response.release_conn()
