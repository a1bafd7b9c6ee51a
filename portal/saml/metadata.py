"""The SP metadata as AgID's technical rules want it (Avviso SPID n. 29 v3), signed with the SP's key.

pysaml2 writes the standard parts; this module adds what SPID asks for on top: the assertion consumer
service and the attribute consuming service numbered from 0, the service name in Italian, and the
contact person of kind "other" with the public body's IPA code and the <spid:Public/> marker.
"""

from __future__ import annotations

import saml2
from django.conf import settings
from saml2 import md
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.sigver import security_context

from portal.saml.conf import CIE_NAMESPACE, DIGEST_ALG, SIGN_ALG, SPID_NAMESPACE, build_config

METADATA_NAMESPACE = "urn:oasis:names:tc:SAML:2.0:metadata"


def _spid_contact() -> md.ContactPerson:
    contact = md.ContactPerson(contact_type="other")
    contact.email_address = [md.EmailAddress(text=settings.SAML_CONTACT_EMAIL)]
    if settings.SAML_CONTACT_PHONE:
        contact.telephone_number = [md.TelephoneNumber(text=settings.SAML_CONTACT_PHONE)]
    extensions = saml2.ExtensionElement("Extensions", namespace=METADATA_NAMESPACE)
    extensions.children.append(
        saml2.ExtensionElement("IPACode", namespace=SPID_NAMESPACE, text=settings.SAML_IPA_CODE)
    )
    extensions.children.append(saml2.ExtensionElement("Public", namespace=SPID_NAMESPACE))
    contact.extensions = extensions
    return contact


def _cie_contact() -> md.ContactPerson:
    """CIE ID's flavour: an administrative contact with the body's IPA code and ISTAT municipality."""
    contact = md.ContactPerson(contact_type="administrative")
    contact.company = md.Company(text=settings.SAML_ORGANIZATION_NAME)
    contact.email_address = [md.EmailAddress(text=settings.SAML_CONTACT_EMAIL)]
    if settings.SAML_CONTACT_PHONE:
        contact.telephone_number = [md.TelephoneNumber(text=settings.SAML_CONTACT_PHONE)]
    extensions = saml2.ExtensionElement("Extensions", namespace=METADATA_NAMESPACE)
    extensions.children.append(saml2.ExtensionElement("Public", namespace=CIE_NAMESPACE))
    extensions.children.append(
        saml2.ExtensionElement("IPACode", namespace=CIE_NAMESPACE, text=settings.SAML_IPA_CODE)
    )
    extensions.children.append(
        saml2.ExtensionElement("Municipality", namespace=CIE_NAMESPACE, text=settings.SAML_MUNICIPALITY)
    )
    contact.extensions = extensions
    return contact


def sp_metadata_xml(kind: str = "spid") -> str:
    """The signed EntityDescriptor (UTF-8 XML text) of the SPID or the CIE ID flavour."""
    conf = build_config(kind=kind)
    descriptor = entity_descriptor(conf)
    descriptor.extensions = None
    sp = descriptor.spsso_descriptor
    for index, service in enumerate(sp.assertion_consumer_service):
        service.index = str(index)
        service.is_default = "true" if index == 0 else None
    for index, service in enumerate(sp.attribute_consuming_service):
        service.index = str(index)
        service.service_name[0].lang = "it"
        service.service_name[0].text = settings.SAML_SERVICE_NAME
        for attribute in service.requested_attribute:
            attribute.friendly_name = None
    if kind == "cie":
        descriptor.register_prefix({"cie": CIE_NAMESPACE})
        descriptor.contact_person = [_cie_contact()]
    else:
        descriptor.register_prefix({"spid": SPID_NAMESPACE})
        descriptor.contact_person = [_spid_contact()]
    _, signed = sign_entity_descriptor(
        descriptor, None, security_context(conf), sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG
    )
    return str(signed)
