"""A self-signed key pair for the SP, shaped as AgID asks of a public body (Avviso SPID n. 29 v3).

AgID does not issue SP certificates: the SP signs its own, with the body's name, its IPA code as
organizationIdentifier ("PA:IT-<code>"), the entity id, non-repudiation and digital signature only,
and AgID's certificate policies (agIDcert, and cert_SP_Pub for the public sector).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
URI_OID = x509.ObjectIdentifier("2.5.4.83")
AGID_POLICIES = (
    ("1.3.76.16", "AgIDroot"),
    ("1.3.76.16.6", "agIDcert"),
    ("1.3.76.16.4.2.1", "cert_SP_Pub"),
)


def generate_key_pair(
    *,
    key_path: Path,
    cert_path: Path,
    entity_id: str,
    organization_name: str,
    common_name: str,
    ipa_code: str,
    locality: str,
    days: int = 730,
    key_size: int = 3072,
) -> x509.Certificate:
    """Write a new private key and certificate; refuse to overwrite an existing key."""
    if key_path.exists():
        raise FileExistsError(f"{key_path} already exists: remove it first to replace the SP's key.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_name),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(URI_OID, entity_id),
            x509.NameAttribute(ORGANIZATION_IDENTIFIER, f"PA:IT-{ipa_code}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, locality),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    policies = [
        x509.PolicyInformation(x509.ObjectIdentifier(oid), [x509.UserNotice(None, text)])
        for oid, text in AGID_POLICIES
    ]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
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
        .add_extension(x509.CertificatePolicies(policies), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate
