"""The admin shows the ledger but cannot change it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from funding.models import Commitment
from tests.factories import TEST_TOTP_SECRET, UserFactory
from tests.funding.factories import make_commitment

pytestmark = pytest.mark.django_db


def test_admin_lists_but_cannot_change_or_delete_money(client):
    commitment = make_commitment("300.00")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(superuser, TEST_TOTP_SECRET)
    client.force_login(superuser)
    assert client.get(reverse("admin:funding_commitment_changelist")).status_code == 200
    detail = client.get(reverse("admin:funding_commitment_change", args=[commitment.pk]))
    assert detail.status_code == 200
    assert 'name="amount"' not in detail.content.decode()  # shown read-only, no input
    response = client.post(
        reverse("admin:funding_commitment_change", args=[commitment.pk]), {"amount": "1.00"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:funding_commitment_delete", args=[commitment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Commitment.objects.get(pk=commitment.pk).amount == 300
