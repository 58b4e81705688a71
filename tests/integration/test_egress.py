"""Webhook egress over real TLS on loopback: the request goes to the address resolved once, and
the certificate is still checked against the callback's host name (SNI included)."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kcheck.adapters.egress import EgressFailed, EgressPolicy


def self_signed(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_receiver(tmp_path):
    """An https endpoint on 127.0.0.1 whose certificate names `name`; records SNI and requests."""
    made = []

    def build(name: str):
        cert, key = self_signed(tmp_path, name)
        seen = {"sni": [], "requests": []}
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda _sock, server_name, _ctx: seen["sni"].append(server_name)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen["requests"].append((self.path, self.headers["Host"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        made.append(server)
        return server.server_port, cert, seen

    yield build
    for server in made:
        server.shutdown()
        server.server_close()


@pytest.fixture
def loopback_dns(monkeypatch):
    """hooks.example.test resolves to loopback first, then to an address nobody listens on."""
    import socket

    real = socket.getaddrinfo
    answers = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, port, *args, **kwargs)
        answers.append("127.0.0.1" if not answers else "127.0.0.9")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[-1], int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_https_goes_to_the_resolved_address_with_sni_and_a_checked_certificate(
        tls_receiver, loopback_dns):
    port, cert, seen = tls_receiver("hooks.example.test")
    policy = EgressPolicy(ca_certs=cert)
    status = policy.post(f"https://hooks.example.test:{port}/hook?v=1", b"{}",
                         {"content-type": "application/json"}, timeout_s=5)
    assert status == 204
    assert loopback_dns == ["127.0.0.1"]  # one lookup; its answer was the address used
    assert seen["sni"] == ["hooks.example.test"]
    assert seen["requests"] == [("/hook?v=1", f"hooks.example.test:{port}")]


def test_a_certificate_for_another_name_is_refused(tls_receiver, loopback_dns):
    port, cert, seen = tls_receiver("other.example.test")
    policy = EgressPolicy(ca_certs=cert)
    with pytest.raises(EgressFailed) as failed:
        policy.post(f"https://hooks.example.test:{port}/hook", b"{}", {}, timeout_s=5)
    assert "SSL" in failed.value.kind
    assert seen["requests"] == []
