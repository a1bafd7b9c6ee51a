"""manage.py saml_certificate: the SP's self-signed key pair for SPID and CIE (Avviso SPID n. 29 v3)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.saml.certificate import generate_key_pair
from portal.saml.conf import entity_id


class Command(BaseCommand):
    help = (
        "Create the SP's private key and AgID-shaped self-signed certificate (SAML_KEY_FILE, SAML_CERT_FILE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key", default=settings.SAML_KEY_FILE, help="where to write the private key")
        parser.add_argument("--cert", default=settings.SAML_CERT_FILE, help="where to write the certificate")
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument("--locality", default=settings.SAML_LOCALITY)

    def handle(self, *args, key, cert, days, locality, **options):
        if not key or not cert:
            raise CommandError("Name the files: --key and --cert, or SAML_KEY_FILE and SAML_CERT_FILE.")
        try:
            certificate = generate_key_pair(
                key_path=Path(key),
                cert_path=Path(cert),
                entity_id=entity_id(),
                organization_name=settings.SAML_ORGANIZATION_NAME,
                common_name=settings.SAML_SERVICE_NAME,
                ipa_code=settings.SAML_IPA_CODE,
                locality=locality,
                days=days,
            )
        except FileExistsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{cert}: {certificate.subject.rfc4514_string()}, "
            f"valid until {certificate.not_valid_after_utc:%Y-%m-%d}"
        )
