"""publiccode.yml (the Italian PA's reuse catalogue, standard 0.4) and the EUPL-1.2 text in LICENSE.

No validator of the standard is published on PyPI (the reference one, publiccode-parser, is a Go
program): these tests check the keys the standard requires, its closed vocabularies and lengths."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

REQUIRED = {
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "categories",
    "developmentStatus",
    "softwareType",
    "description",
    "legal",
    "maintenance",
    "localisation",
}
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPE = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE_TYPE = {"internal", "contract", "community", "none"}
# The categories this file uses, all from the standard's list.
CATEGORIES = {
    "accounting",
    "data-collection",
    "document-management",
    "financial-reporting",
    "grant-management",
    "inventory-management",
}
SCOPES = {"government", "security", "local-authorities", "finance-and-economic-development"}


def publiccode() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def test_publiccode_has_every_required_key_with_an_allowed_value():
    data = publiccode()
    assert data.keys() >= REQUIRED
    assert data["publiccodeYmlVersion"] == "0.4"
    assert re.match(r"^https://", data["url"])
    assert data["developmentStatus"] in DEVELOPMENT_STATUS
    assert data["softwareType"] in SOFTWARE_TYPE
    assert set(data["platforms"]) <= {"web", "windows", "mac", "linux", "ios", "android"}
    assert set(data["categories"]) <= CATEGORIES
    assert set(data["intendedAudience"]["scope"]) <= SCOPES
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", data["releaseDate"])
    assert data["maintenance"]["type"] in MAINTENANCE_TYPE
    assert data["maintenance"]["contacts"]  # required for internal and contract maintenance
    assert data["localisation"]["localisationReady"] is True
    assert data["localisation"]["availableLanguages"] == ["it", "en"]


def test_publiccode_describes_the_software_in_italian_and_english_within_the_lengths():
    for language in ("it", "en"):
        description = publiccode()["description"][language]
        assert len(description["shortDescription"]) <= 150
        assert 150 <= len(description["longDescription"]) <= 10000
        assert description["features"]
        assert all(len(feature) <= 100 for feature in description["features"])


def test_the_licence_is_the_eupl_1_2_everywhere():
    data = publiccode()
    assert data["legal"]["license"] == "EUPL-1.2"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = { text = "EUPL-1.2" }' in pyproject
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016")
    for article in range(1, 16):
        assert re.search(rf"^{article}\.\s?[A-Z]", text, flags=re.MULTILINE), f"article {article}"
    assert "Appendix" in text
    assert "Québec Free and Open-Source Licence" in text  # the last compatible licence listed
