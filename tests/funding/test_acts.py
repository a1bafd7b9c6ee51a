"""Act type and number apart (issue 9, item 12): the number is checked without its type, and every
place shows "DD n. 129/2020" once: the ledger pages, the annex, the reports and the register."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from funding.acts import ERROR_ACT_NUMBER_WITH_TYPE, act_text, validate_act_number
from funding.choices import ActType
from funding.selectors.transparency import TransparencyFilters, transparency_rows
from funding.services import expenses
from funding.services.allocation import check_act
from funding.services.ledger import Act, commitment_create
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_commitment, make_reservation
from tests.funding.test_ledger_views import book, commit_data, login  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2020, 4, 23)
migration = importlib.import_module("funding.migrations.0011_act_number_without_type")


@pytest.mark.parametrize("number", ["DD 129/2020", "D.D. n. 129", "dgr 12-345", "DCR n. 89-19389", "n. 129"])
def test_a_number_with_its_type_is_refused_naming_the_rule(number):
    with pytest.raises(ValidationError) as excinfo:
        validate_act_number(number)
    assert excinfo.value.messages == [str(ERROR_ACT_NUMBER_WITH_TYPE)]
    with pytest.raises(ValidationError) as excinfo:
        check_act(number, DAY)
    assert excinfo.value.message_dict["act_number"] == [str(ERROR_ACT_NUMBER_WITH_TYPE)]


@pytest.mark.parametrize("number", ["129/2020", "1234/A1809A/2021", "89-19389", "LIQ-5/2021", "N12"])
def test_numbers_alone_are_accepted(number):
    validate_act_number(number)


def test_the_ledger_refuses_the_type_in_the_number_and_writes_nothing():
    reservation = make_reservation("1000.00")
    with pytest.raises(ValidationError) as excinfo:
        commitment_create(
            actor=None,
            reservation=reservation,
            beneficiary=OrganisationFactory(),
            amount=Decimal("10.00"),
            act=Act(number="DD 129/2020", date=DAY),
        )
    assert "act_number" in excinfo.value.message_dict
    assert not reservation.commitments.exists()


def test_the_liquidation_form_refuses_the_type_in_the_number():
    commitment = make_commitment("2000.00")
    with pytest.raises(ValidationError) as excinfo:
        expenses.grant_close(
            actor=make_user(Role.REGIONAL_OFFICIAL), commitment=commitment, act_number="DD 5", act_date=DAY
        )
    assert excinfo.value.message_dict["act_number"] == [str(ERROR_ACT_NUMBER_WITH_TYPE)]


def test_the_act_reads_once_in_either_language():
    with translation.override("it"):
        assert act_text(ActType.DD, "129/2020", DAY) == "DD n. 129/2020 del 23/04/2020"
        assert act_text(ActType.DGR, "12-345") == "DGR n. 12-345"
    with translation.override("en"):
        assert act_text(ActType.DD, "129/2020") == "DD n. 129/2020"


def test_pages_and_register_show_the_type_once(client, book):  # noqa: F811
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    response = client.post(url, commit_data(book, act_number="DD 129/2020"))
    assert response.status_code == 200
    assert response.context["form"].errors["act_number"] == [str(ERROR_ACT_NUMBER_WITH_TYPE)]
    commitment = make_commitment("5000.00")
    with translation.override("it"):
        assert commitment.act == "DD n. 1/2020 del 01/05/2020"
        rows = list(transparency_rows(filters=TransparencyFilters(year=2020)))
        assert {r["act"] for r in rows} == {"DD n. 1/2020 del 01/05/2020"}
    page = client.get(reverse("funding:transparency"), {"year": 2020}).content.decode()
    assert "DD n. 1/2020" in page


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("DD 129/2020", ("dd", "129/2020")),
        ("D.G.R. n. 12-345", ("dgr", "12-345")),
        ("n. 7", (None, "7")),
        ("129/2020", (None, "129/2020")),
        ("LIQ-5/2021", (None, "LIQ-5/2021")),
    ],
)
def test_the_migration_splits_what_was_stored_whole(stored, expected):
    assert migration.split_act_number(stored) == expected
