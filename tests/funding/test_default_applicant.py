"""One rule for the organisation that applies when the user names none (issue 10, item 1).

The API took the user's only applicant organisation, whatever the call; the pages took the only one
that may apply to the call. They disagreed for a user of two organisations of which one may apply:
the service's rule (funding.services.applications.default_applicant) now serves both, and wins."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from funding.models import Application
from portal.choices import OrganisationKind, Role
from portal.models import Membership
from tests.factories import OrganisationFactory
from tests.funding.factories_calls import make_applicant, make_call
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


def _second_organisation(user, **kwargs):
    organisation = OrganisationFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=Role.APPLICANT)
    return organisation


@pytest.mark.parametrize("channel", ["api", "page"])
def test_the_one_organisation_that_may_apply_applies(client, channel):
    call = make_call(eligible_kinds=[OrganisationKind.MUNICIPALITY])
    user, municipality = make_applicant()
    _second_organisation(user, kind=OrganisationKind.OTHER)  # not eligible to this call
    if channel == "api":
        response = api_client_for(user).post("/api/v1/applications/", {"call": call.code}, format="json")
        assert response.status_code == 201, response.json()
    else:
        client.force_login(user)
        client.post(reverse("funding:application_start", args=[call.code]))
    assert list(Application.objects.values_list("applicant", flat=True)) == [municipality.pk]


@pytest.mark.parametrize("channel", ["api", "page"])
def test_several_that_may_apply_must_say_which(client, channel):
    user, _ = make_applicant()
    other = _second_organisation(user, kind=OrganisationKind.OTHER)
    call = make_call(eligible_kinds=[OrganisationKind.MUNICIPALITY], eligible_organisations=[other])
    with translation.override("en"):
        if channel == "api":
            response = api_client_for(user).post(
                "/api/v1/applications/", {"call": call.code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
            )
            assert response.status_code == 400
            texts = response.json()["applicant"]
        else:
            client.force_login(user)
            response = client.post(
                reverse("funding:application_start", args=[call.code]), HTTP_ACCEPT_LANGUAGE="en"
            )
            texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert not Application.objects.exists()
    assert texts == ["Say which organisation applies."]


def test_a_draft_with_refused_data_is_not_created():
    """Issue 10, item 8: the API composed create + update in a transaction of its own; the service now
    creates the draft and fills it in one transaction, so refused data leave no draft behind."""
    call = make_call(eligible_kinds=[OrganisationKind.MUNICIPALITY])  # asks for no data
    user, _ = make_applicant()
    response = api_client_for(user).post(
        "/api/v1/applications/", {"call": call.code, "vehicle_plate": "AB123CD"}, format="json"
    )
    assert response.status_code == 400
    assert "vehicle_plate" in response.json()
    assert not Application.objects.exists()
