"""The administrator's home is a work queue (issue 9, item 24, for the sixth role): access requests
awaiting a decision, security events of the last week, API tokens about to expire; and an administrator
revokes another user's token (a leaked one), which its owner's peers cannot."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.choices import Role
from portal.models import AccessRequest, ApiToken, AuditEvent
from portal.security import ACCESS_DENIED, security_event
from portal.tokens import api_token_create, api_token_revoke
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.security_events]


def count(html: str, key: str) -> int:
    marker = f'data-count="{key}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)])


def test_the_administrators_home_lists_what_needs_them(client, comuni):
    administrator = make_user(Role.ADMINISTRATOR)
    applicant = make_user(Role.APPLICANT)
    AccessRequest.objects.create(user=make_user(), kind="taxi_licensee", licence_number="TO-1")
    token, _key = api_token_create(actor=applicant, name="script", passed_totp=False)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=3))
    api_token_create(actor=applicant, name="lungo", passed_totp=False)  # 90 days: not due
    security_event(action=ACCESS_DENIED, actor=applicant, who="203.0.113.9")

    client.force_login(administrator)
    html = client.get("/").content.decode()
    assert count(html, "access_requests") == 1
    assert count(html, "security_events") == 1
    assert count(html, "tokens_expiring") == 1
    assert "?security=on" in html
    assert "richieste di accesso in attesa di decisione" in html
    assert "token API in scadenza entro 14 giorni" in html


def test_an_administrator_revokes_another_users_token_and_a_peer_cannot(client):
    owner = make_user(Role.APPLICANT)
    token, _key = api_token_create(actor=owner, name="script", passed_totp=False)
    peer = make_user(Role.APPLICANT, owner.memberships.get().organisation)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=peer, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None

    administrator = make_user(Role.ADMINISTRATOR)
    api_token_revoke(actor=administrator, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_id == administrator.pk
    assert event.after["owner"] == owner.pk
