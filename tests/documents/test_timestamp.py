"""PAdES B-T: with a timestamp authority configured, the seal signature carries an RFC 3161
signature timestamp. The TSA here is pyHanko's test TSA behind a local HTTP server, reached by the
same HTTP client certsvc uses for a real one (``CERTSVC_TSA_URL``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from certsvc.config import load_settings
from certsvc.documents.fonts import CjkFont
from certsvc.documents.pdf import render_pdf
from certsvc.documents.signature import PdfSealer, check_pdf_signature
from certsvc.errors import ConfigurationError
from tests.documents.support import VERSION_ONE


def _tsa_identity() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed RSA certificate fit for timestamping (critical timeStamping EKU); RSA because
    pyHanko's test TSA signs only with RSA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test TSA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


@pytest.fixture
def tsa_url() -> Iterator[str]:
    certificate, key = _tsa_identity()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()


def test_with_a_tsa_the_signature_is_timestamped(font: CjkFont, sealer: PdfSealer, tsa_url: str) -> None:
    """B-T: the signature carries a timestamp token from the configured TSA and still validates."""
    timestamped = PdfSealer(sealer.private_key, sealer.certificate, sealer.ca_certificate, tsa_url)
    pdf = render_pdf(VERSION_ONE, timestamped, font)
    check = check_pdf_signature(pdf, [sealer.ca_certificate])
    assert check.ok and check.timestamped
    untimed = check_pdf_signature(render_pdf(VERSION_ONE, sealer, font), [sealer.ca_certificate])
    assert untimed.ok and not untimed.timestamped


def test_tsa_url_is_read_from_the_environment_and_must_be_http() -> None:
    """CERTSVC_TSA_URL sets the TSA; anything but an http(s) URL is refused at start-up."""
    settings = load_settings({"CERTSVC_TSA_URL": "https://tsa.example/rfc3161"})
    assert settings.tsa_url == "https://tsa.example/rfc3161"
    assert load_settings({}).tsa_url is None
    with pytest.raises(ConfigurationError, match="CERTSVC_TSA_URL"):
        load_settings({"CERTSVC_TSA_URL": "file:///etc/passwd"})
