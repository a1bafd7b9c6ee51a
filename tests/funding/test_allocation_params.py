"""The call's manage page says each allocation parameter in words, not as a Python dict (issue 9,
item 19)."""

import pytest
from django.urls import reverse
from django.utils import translation

from funding.allocation_params import params_in_words
from funding.choices import EligibleBasis
from portal.choices import Role
from tests.factories import make_user
from tests.funding.factories_calls import make_taxi_call

pytestmark = pytest.mark.django_db


def test_the_manage_page_says_the_parameters_in_words(client):
    call = make_taxi_call(allocation_params={"percentage": "70", "cap": "1500.00", "ranking": "submitted_at"})
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    page = client.get(reverse("funding:call_manage_detail", args=[call.code])).content.decode()
    assert "{&#x27;percentage&#x27;" not in page
    assert "'percentage'" not in page
    assert "70%" in page
    assert "€ 1.500,00" in page
    assert "Graduatoria per ordine di invio" in page


def test_every_parameter_has_its_sentence():
    params = {"percentage": "70", "cap": "1500.00", "ranking": "score", "allow_partial_last": True}
    with translation.override("en"):
        lines = params_in_words(params, eligible_basis=EligibleBasis.NET)
    assert lines == [
        "Contribution: 70% of the eligible expense net of VAT.",
        "At most €1,500.00 per application.",
        "Ranking by the reviewers' score, highest first.",
        "When the money runs out, the next application gets what is left (partly funded).",
    ]
    with translation.override("en"):
        assert params_in_words({"amount": "2500", "ranking": "submitted_at"}) == [
            "€2,500.00 to each beneficiary.",
            "Ranking by submission time: first come, first funded.",
            "The ranking stops at the first application that cannot be funded in full.",
        ]
        assert params_in_words({"granted": {"1": "5.00"}, "source": "ISTAT"}) == [
            "Source of the figures: ISTAT."
        ]
