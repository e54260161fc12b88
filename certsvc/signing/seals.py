"""X.509 certificates for signing certificate PDFs: the installation's issuing CA and, per issuing
authority, a seal certificate it issues (PURE: keys and times in, certificates out).

Both use ECDSA P-256, which every PDF validator (poppler/NSS, pyHanko, Acrobat) accepts for PAdES.
A seal certificate names the authority (CN and O, its USCC as ``serialNumber``) and is valid for
``SEAL_VALIDITY``: titles do not expire, so a PDF signed years ago must still validate after the
seal key has been rotated; rotation only stops new signatures with the old key.
"""

from __future__ import annotations

import datetime as dt
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_VALIDITY = dt.timedelta(days=365 * 40)
SEAL_VALIDITY = dt.timedelta(days=365 * 30)
CA_NAME = "certsvc issuing CA"
# Certificates are back-dated a little so a verifier whose clock lags still accepts a fresh one.
_CLOCK_SKEW = dt.timedelta(minutes=10)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def issuing_ca_certificate(
    key: ec.EllipticCurvePrivateKey, organisation: str, now: dt.datetime
) -> x509.Certificate:
    """A self-signed CA that may only issue end-entity (seal) certificates."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(_serial())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def seal_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_certificate: x509.Certificate,
    seal_public: ec.EllipticCurvePublicKey,
    *,
    uscc: str,
    authority_name: str,
    now: dt.datetime,
) -> x509.Certificate:
    """The seal certificate of the authority ``uscc``, issued by the CA, for document signatures."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, authority_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc),
        ]
    )
    ca_ski = ca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(seal_public)
        .serial_number(_serial())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(min(now + SEAL_VALIDITY, ca_certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _serial() -> int:
    # RFC 5280: positive, at most 20 octets; 159 random bits keep it unpredictable.
    return secrets.randbits(159) | 1
