"""Demo data for the portal: the Region, the bodies of the pilots, taxi licensees, one user per role."""

import base64
import hashlib
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from portal import services
from portal.choices import MFA_ROLES, OrganisationKind, Role
from portal.models import Comune, Organisation, Province, User
from portal.reference import load_comuni

DEMO_DOMAIN = "sentinella.demo"
DEMO_PASSWORD = "Sentinella-demo-2026"  # noqa: S105  (printed on purpose: demo accounts only)

REGION = {"name": "Regione Piemonte", "tax_code": "80087670016"}
METROPOLITAN_CITY = {"name": "Città metropolitana di Torino", "tax_code": "01907990012"}
# Codici fiscali of bodies are public; where we are not sure of one we leave it empty.
# Codici fiscali of the bodies of the body-cam split (IPA, indicepa.gov.it): art. 27 publishes them.
MUNICIPALITY_TAX_CODES = {
    "001272": "00514490010",  # Torino
    "002158": "00355580028",  # Vercelli
    "003106": "00125680033",  # Novara
    "004078": "00480530047",  # Cuneo
    "005005": "00072360050",  # Asti
    "006003": "00429440068",  # Alessandria
    "096004": "00221900020",  # Biella
    "103072": "00182910034",  # Verbania
}
PROVINCE_TAX_CODES = {
    "VC": "80005210028",
    "NO": "80014470035",
    "CN": "00447820044",
    "AT": "80001650052",
    "AL": "80003870062",
    "BI": "90027160028",
    "VB": "93009110037",
}

TAXI_LICENSEES = [
    # (name, codice fiscale (synthetic, valid check digit), licence number)
    ("Mario Rossi", "RSSMRA70A01L219K", "TO-0101"),
    ("Giulia Bianchi", "BNCGLI82M45L219A", "TO-0202"),
    ("Luca Ferrero", "FRRLCU75C12L219P", "TO-0303"),
    ("Anna Gallo", "GLLNNA88R50L219M", "TO-0404"),
]


@dataclass
class DemoAccount:
    email: str
    role: str
    organisation: str
    totp_secret: str = ""


def demo_totp_secret(email: str) -> str:
    """A fixed, printed secret per demo account, so a tester can add it to an authenticator app."""
    digest = hashlib.sha256(f"sentinella-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def _organisation(kind: str, name: str, **fields) -> Organisation:
    lookup = {"kind": kind, "name": name}
    if kind == OrganisationKind.MUNICIPALITY:
        lookup = {"kind": kind, "comune": fields["comune"]}
    elif kind == OrganisationKind.TAXI_LICENSEE:
        lookup = {"kind": kind, "comune": fields["comune"], "licence_number": fields["licence_number"]}
    existing = Organisation.objects.filter(**lookup).first()
    if existing:
        return existing
    return services.organisation_create(actor=None, kind=kind, name=name, **fields)


def seed_organisations() -> dict[str, Organisation]:
    orgs = {"region": _organisation(OrganisationKind.REGION, REGION["name"], tax_code=REGION["tax_code"])}
    turin = Comune.objects.get(istat_code="001272")
    orgs["metro"] = _organisation(
        OrganisationKind.METROPOLITAN_CITY,
        METROPOLITAN_CITY["name"],
        tax_code=METROPOLITAN_CITY["tax_code"],
        province=turin.province,
    )
    for comune in Comune.objects.filter(is_provincial_capital=True).select_related("province"):
        orgs[f"comune:{comune.istat_code}"] = _organisation(
            OrganisationKind.MUNICIPALITY,
            f"Comune di {comune.name}",
            comune=comune,
            tax_code=MUNICIPALITY_TAX_CODES.get(comune.istat_code, ""),
        )
    for province in Province.objects.exclude(code="001"):
        orgs[f"province:{province.sigla}"] = _organisation(
            OrganisationKind.PROVINCE,
            f"Provincia di {province.name}",
            province=province,
            tax_code=PROVINCE_TAX_CODES.get(province.sigla, ""),
        )
    for name, tax_code, licence in TAXI_LICENSEES:
        orgs[f"taxi:{licence}"] = _organisation(
            OrganisationKind.TAXI_LICENSEE,
            name,
            comune=turin,
            licence_number=licence,
            tax_code=tax_code,
        )
    return orgs


def demo_user(email: str, first_name: str, last_name: str, *, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "is_staff": staff, "is_superuser": staff},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


# The demo accounts: (local part of the e-mail, first name, last name, role, organisation key).
ACCOUNT_PLAN = [
    ("funzionario", "Franca", "Funzionaria", Role.REGIONAL_OFFICIAL, "region"),
    ("revisore", "Renato", "Revisore", Role.AUDITOR, "region"),
    ("comune.torino", "Carla", "Comunale", Role.APPLICANT, "comune:001272"),
    ("comune.cuneo", "Carlo", "Cuneese", Role.APPLICANT, "comune:004078"),
    ("taxi", "Mario", "Rossi", Role.APPLICANT, "taxi:TO-0101"),
    ("progetti", "Paola", "Progetti", Role.EU_PROJECT_MANAGER, "comune:001272"),
    ("inventario", "Ivo", "Inventario", Role.INVENTORY_MANAGER, "region"),
    ("admin", "Ada", "Amministratrice", Role.ADMINISTRATOR, "region"),
]


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, role) of each demo account, without touching the database (the production smoke)."""
    return [(f"{local}@{DEMO_DOMAIN}", role) for local, _first, _last, role, _org in ACCOUNT_PLAN]


def seed_accounts(orgs: dict[str, Organisation]) -> list[DemoAccount]:
    accounts = []
    for local, first, last, role, org_key in ACCOUNT_PLAN:
        email = f"{local}@{DEMO_DOMAIN}"
        user = demo_user(email, first, last, staff=role == Role.ADMINISTRATOR)
        organisation = orgs[org_key]
        services.membership_set_role(actor=None, user=user, organisation=organisation, role=role)
        secret = ""
        if role in MFA_ROLES:
            secret = demo_totp_secret(email)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, secret)
        accounts.append(
            DemoAccount(
                email=email, role=str(Role(role).label), organisation=organisation.name, totp_secret=secret
            )
        )
    return accounts


def seed(stdout) -> None:
    report = load_comuni()
    stdout.write(
        f"Reference data: {report.rows} comuni ({'loaded' if report.changed else 'already up to date'})."
    )
    seed_accounts(seed_organisations())


def print_logins(stdout) -> None:
    """The last thing `make run` prints before serving: where and how to log in."""
    accounts = seed_accounts(seed_organisations())
    stdout.write("")
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for account in [*accounts, *_other_apps_accounts()]:
        line = f"  {account.email:<32} {account.role:<24} {account.organisation}"
        if account.totp_secret:
            line += f"\n  {'':<32} two-factor secret {account.totp_secret}"
        stdout.write(line)
    if settings.MFA_REQUIRED:
        stdout.write(
            "Officials, auditors and administrators log in with a TOTP code: add the secret above to an "
            "authenticator app, or run `python manage.py demo_totp EMAIL` for the current code."
        )


def _other_apps_accounts() -> list[DemoAccount]:
    """Demo accounts other apps' demo modules create (their EXTRA_ACCOUNTS), printed with these."""
    from importlib import import_module

    accounts = []
    for app in ("funding", "projects", "inventory"):
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        accounts.extend(getattr(module, "EXTRA_ACCOUNTS", []))
    return accounts
