"""The small fixes of issue 9, item 23: the official's menu has the expense reports; a refusal to
liquidate an unpublished grant links to the publish page; every form with errors opens with a
summary linked to its fields; one Italian word for a round; the audit trail's object types are the
portal's own."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from funding.models import Liquidation
from portal.audit import audit_record
from portal.choices import Role
from reporting.filtersets import object_type_choices
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_commitment

pytestmark = pytest.mark.django_db


def test_the_officials_menu_has_the_expense_reports(client):
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("funding:expense_list")}"' in page
    assert "Rendicontazioni" in page


def test_refusing_to_liquidate_an_unpublished_grant_links_to_the_publish_page(client):
    commitment = make_commitment("5000.00", published=False)
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    data = {
        "act_type": "dd",
        "act_number": "7",
        "act_date": "2021-05-01",
        "amount": "10,00",
        "date": "2021-05-02",
        "reason": "saldo",
    }
    response = client.post(reverse("funding:liquidation_create", args=[commitment.pk]), data)
    page = response.content.decode()
    assert "non è stato ancora pubblicato" in page or "pubblicat" in page
    summary = page[page.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert f'href="{reverse("funding:transparency_publish")}"' in summary  # the remedy, in the error
    assert not Liquidation.objects.filter(commitment=commitment).exists()


def test_a_form_with_errors_opens_with_a_summary_linked_to_its_fields(client):
    client.force_login(make_user(Role.APPLICANT))
    response = client.post(reverse("access_request_new"), {"kind": "", "organisation_name": ""})
    page = response.content.decode()
    summary = page[page.index('data-testid="error-summary"') :]
    assert page.index('data-testid="error-summary"') < page.index('name="kind"')  # above the fields
    assert re.search(r'<a href="#id_kind">[^<]+</a>:', summary)
    assert "autofocus" in page[page.index("error-summary") - 200 : page.index("error-summary")]


def test_one_italian_word_for_a_round():
    catalogue = (Path(settings.BASE_DIR) / "locale/it/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    translations = " ".join(re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', catalogue, flags=re.M))
    assert "turno" in translations
    assert "tornata" not in translations.lower()


def test_the_audit_trails_object_types_are_the_portals_own():
    organisation = OrganisationFactory()
    audit_record(action="test.organisation", target=organisation)
    audit_record(action="test.permission", target=Permission.objects.first())
    choices = dict(object_type_choices())
    assert "organisation" in choices
    assert "permission" not in choices
    assert not any("(" in label for label in choices.values())  # no "(mfa)", "(auth)" suffixes
