"""The identity providers, read from the metadata files the operator provides (never fetched at run time).

SPID_IDP_METADATA holds AgID's registry of SPID identity providers (an EntitiesDescriptor, as AgID
publishes it); CIE_IDP_METADATA holds the CIE ID identity provider's metadata. Both go through the
same SP, assertion consumer and checks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree
from django.conf import settings

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class IdentityProvider:
    entity_id: str
    name: str
    kind: str  # "spid" or "cie"


def _display_name(entity) -> str:
    names = entity.findall(f"{MD}Organization/{MD}OrganizationDisplayName") or entity.findall(
        f"{MD}Organization/{MD}OrganizationName"
    )
    by_lang = {name.get(XML_LANG, ""): (name.text or "").strip() for name in names}
    return by_lang.get("it") or next(iter(by_lang.values()), "") or entity.get("entityID", "")


@lru_cache(maxsize=8)
def _read(path: str, mtime: float, kind: str) -> tuple[IdentityProvider, ...]:
    root = ElementTree.parse(path).getroot()
    entities = [root] if root.tag == f"{MD}EntityDescriptor" else root.iter(f"{MD}EntityDescriptor")
    return tuple(
        IdentityProvider(entity_id=entity.get("entityID"), name=_display_name(entity), kind=kind)
        for entity in entities
        if entity.find(f"{MD}IDPSSODescriptor") is not None
    )


def _providers(path: str, kind: str) -> tuple[IdentityProvider, ...]:
    if not path or not Path(path).is_file():
        return ()
    return _read(path, Path(path).stat().st_mtime, kind)


def spid_providers(*, shuffled: bool = False) -> list[IdentityProvider]:
    """AgID's button guidelines list the providers in random order, so none is favoured."""
    providers = list(_providers(settings.SPID_IDP_METADATA, "spid"))
    if shuffled:
        random.shuffle(providers)
    return providers


def cie_provider() -> IdentityProvider | None:
    providers = _providers(settings.CIE_IDP_METADATA, "cie")
    return providers[0] if providers else None


def find_provider(entity_id: str) -> IdentityProvider | None:
    for provider in [*spid_providers(), *filter(None, [cie_provider()])]:
        if provider.entity_id == entity_id:
            return provider
    return None


def level_for(provider: IdentityProvider) -> int:
    return settings.CIE_LEVEL if provider.kind == "cie" else settings.SPID_LEVEL
