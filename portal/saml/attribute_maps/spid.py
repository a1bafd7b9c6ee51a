"""SPID's attribute names travel as they are (NameFormat basic): "name", "familyName", "fiscalNumber"..."""

from saml2.saml import NAME_FORMAT_BASIC

NAMES = ["name", "familyName", "fiscalNumber", "email", "spidCode", "mobilePhone", "dateOfBirth"]

MAP = {
    "identifier": NAME_FORMAT_BASIC,
    "fro": {name: name for name in NAMES},
    "to": {name: name for name in NAMES},
}
