"""manage.py saml_export: the SP metadata and a sample AuthnRequest, as files.

For registering the SP with AgID and CIE ID (they ask for the metadata file), and for checking both
offline with Developers Italia's spid-sp-test (.ci/run)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from portal.saml import protocol
from portal.saml.conf import key_pair_configured
from portal.saml.metadata import sp_metadata_xml
from portal.saml.providers import find_provider, level_for


class Command(BaseCommand):
    help = "Write the signed SP metadata and, for --idp, the page that posts a signed AuthnRequest to it."

    def add_arguments(self, parser):
        parser.add_argument("--metadata", required=True, help="file for the SP metadata (XML)")
        parser.add_argument("--kind", choices=["spid", "cie"], default="spid", help="metadata flavour")
        parser.add_argument("--idp", help="entity id of a configured identity provider")
        parser.add_argument("--authn-request", help="file for the HTML form that posts the AuthnRequest")

    def handle(self, *args, metadata, kind, idp, authn_request, **options):
        if not key_pair_configured():
            raise CommandError("The SP has no key pair: set SAML_KEY_FILE and SAML_CERT_FILE.")
        Path(metadata).write_text(sp_metadata_xml(kind), encoding="utf-8")
        self.stdout.write(f"SP metadata: {metadata}")
        if not authn_request:
            return
        provider = find_provider(idp or "")
        if provider is None:
            raise CommandError(f"--idp {idp!r} is not in SPID_IDP_METADATA or CIE_IDP_METADATA.")
        message = protocol.authn_request(
            idp=provider.entity_id,
            kind=provider.kind,
            level=level_for(provider),
            relay_state="ci-relay-state",
        )
        page = render_to_string("portal/saml/post_plain.html", {"message": message})
        Path(authn_request).write_text(page, encoding="utf-8")
        level = level_for(provider)
        self.stdout.write(f"AuthnRequest to {provider.entity_id} (level {level}): {authn_request}")
