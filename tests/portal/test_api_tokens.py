"""Personal API tokens (issue 9, item 6): a token of a role that must use TOTP is created only from a
session that passed TOTP; it expires (API_TOKEN_DAYS); it is listed and revocable on the account page;
creation, use from a new address and revocation are audited; DRF's unexpiring tokens no longer work."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.choices import Role
from portal.models import ApiToken, AuditEvent
from portal.tokens import ERROR_NEEDS_TOTP, hash_key
from tests.factories import TEST_PASSWORD, make_user
from tests.utils import totp_code

pytestmark = pytest.mark.django_db

URL = "/account/api-tokens/"


def log_in_with_totp(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302


def create(client, name="script di esportazione"):
    return client.post(URL, {"name": name})


def api(key, ip="10.0.0.1"):
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def new_key(response) -> str:
    return response.context["new_key"]


@pytest.mark.parametrize("role", [Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR])
def test_a_totp_role_creates_a_token_only_from_a_totp_session(client, role):
    user = make_user(role)
    client.force_login(user)  # a session without the second factor (as a stolen session cookie)
    before = AuditEvent.objects.count()
    response = create(client)
    assert response.status_code == 403
    assert str(ERROR_NEEDS_TOTP) in response.content.decode().replace("&#x27;", "'") or (
        "TOTP" in response.content.decode()
    )
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.count() == before
    client.logout()
    log_in_with_totp(client, user)
    response = create(client)
    assert response.status_code == 200
    key = new_key(response)
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_key(key)
    assert key not in str(ApiToken.objects.values_list()), "the key itself is never stored"
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor_id, event.after["prefix"], event.after["totp_session"]) == (user.pk, key[:8], True)
    assert key not in str(event.after)
    assert api(key).get(reverse("v1:me")).json()["email"] == user.email


def test_an_applicant_needs_no_totp_and_sees_the_key_once(client):
    user = make_user(Role.APPLICANT)
    client.force_login(user)
    response = create(client)
    key = new_key(response)
    assert key in response.content.decode()
    page = client.get(URL).content.decode()
    assert key not in page
    assert "script di esportazione" in page
    assert key[:8] in page
    assert create(client).status_code == 400  # the same name twice while the first is active
    assert ApiToken.objects.count() == 1


def test_tokens_expire_after_the_configured_days(client, settings):
    settings.API_TOKEN_DAYS = 5
    user = make_user(Role.APPLICANT)
    client.force_login(user)
    key = new_key(create(client))
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == datetime.timedelta(days=5)
    assert api(key).get(reverse("v1:me")).status_code == 200
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - datetime.timedelta(days=6), expires_at=now - datetime.timedelta(seconds=1)
    )
    response = api(key).get(reverse("v1:me"))
    assert response.status_code == 401


def test_default_lifetime_is_90_days(client):
    client.force_login(make_user(Role.APPLICANT))
    create(client)
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)


def test_use_from_a_new_address_is_audited_once(client):
    user = make_user(Role.APPLICANT)
    client.force_login(user)
    key = new_key(create(client))
    for _ in range(3):
        assert api(key, "10.0.0.1").get(reverse("v1:me")).status_code == 200
    assert api(key, "192.0.2.7").get(reverse("v1:me")).status_code == 200
    events = AuditEvent.objects.filter(action="api_token.new_ip").order_by("seq")
    assert [e.after["ip"] for e in events] == ["10.0.0.1", "192.0.2.7"]
    token = ApiToken.objects.get()
    assert (token.last_used_ip, token.last_used_at is not None) == ("192.0.2.7", True)


def test_revoked_at_once_audited_and_only_by_its_owner(client):
    user = make_user(Role.APPLICANT)
    client.force_login(user)
    key = new_key(create(client))
    token = ApiToken.objects.get()
    client.force_login(make_user(Role.APPLICANT))
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert api(key).get(reverse("v1:me")).status_code == 200
    client.force_login(user)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "Token «script di esportazione» revocato." in response.content.decode()
    assert api(key).get(reverse("v1:me")).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=user).count() == 1


def test_drf_unexpiring_tokens_are_not_accepted():
    """The old tokens had no expiry and skipped TOTP: only personal tokens authenticate now."""
    response = api("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b").get(reverse("v1:me"))
    assert response.status_code == 401


@pytest.mark.parametrize(("level", "created"), [(1, False), (2, True)])
def test_a_spid_login_of_level_two_counts_as_the_second_factor(client, level, created):
    """SPID or CIE level 2+ is two factors already (portal.saml.stages); level 1 is not."""
    official = make_user(Role.REGIONAL_OFFICIAL)
    client.force_login(official)
    session = client.session
    session["account_authentication_methods_user"] = str(official.pk)
    session["account_authentication_methods"] = [{"method": "saml", "level": level, "at": 0}]
    session.save()
    response = create(client)
    assert (response.status_code == 200) is created
    assert ApiToken.objects.filter(user=official).exists() is created
