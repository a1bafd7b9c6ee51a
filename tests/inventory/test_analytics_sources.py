"""Analytics sources: a key shown once and stored as a hash, rotation with an overlap, revocation,
every change audited; who may manage a source (a denied call changes nothing)."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inventory.models import AnalyticsEvent, AnalyticsSource, SourceKey
from inventory.services.sources import source_create, source_revoke, source_rotate_key, source_update
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.inventory.analytics_helpers import deployed_camera, event, make_source, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(comuni):
    return deployed_camera()


def test_the_key_is_shown_once_and_stored_only_as_its_hash(camera):
    issued = make_source(camera.owner)
    record = SourceKey.objects.get(source=issued.source)
    assert issued.key.startswith(f"snt_{record.prefix}_")
    assert record.digest == hashlib.sha256(issued.key.encode()).hexdigest()
    stored = [str(v) for row in SourceKey.objects.values_list() for v in row]
    assert not any(issued.key in v for v in stored)
    assert not AuditEvent.objects.filter(after__icontains=issued.key.split("_", 2)[2]).exists()
    assert AuditEvent.objects.filter(action="inventory.analytics_source.created").count() == 1


def test_rotation_keeps_the_old_key_for_the_overlap_then_stops_it(client, camera):
    issued = make_source(camera.owner)
    rotated = source_rotate_key(actor=None, source=issued.source, overlap_hours=1)
    assert rotated.key != issued.key
    assert post(client, issued.key, [event()]).status_code == 200
    assert post(client, rotated.key, [event()]).status_code == 200
    SourceKey.objects.filter(pk=issued.record.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    from django.core.cache import cache

    cache.clear()  # the process would forget the cached record within ANALYTICS_KEY_CACHE_SECONDS
    assert post(client, issued.key, [event()]).status_code == 401
    assert post(client, rotated.key, [event()]).status_code == 200
    assert AuditEvent.objects.filter(action="inventory.analytics_source.key_rotated").count() == 1


def test_rotation_without_overlap_stops_the_old_key_at_once(client, camera):
    issued = make_source(camera.owner)
    rotated = source_rotate_key(actor=None, source=issued.source, overlap_hours=0)
    assert post(client, issued.key, [event()]).status_code == 401
    assert post(client, rotated.key, [event()]).status_code == 200


def test_a_revoked_source_posts_nothing(client, camera):
    issued = make_source(camera.owner)
    assert post(client, issued.key, [event()]).status_code == 200
    source_revoke(actor=None, source=issued.source)
    assert post(client, issued.key, [event()]).status_code == 401
    assert AnalyticsEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="inventory.analytics_source.revoked").count() == 1
    with pytest.raises(ValidationError):
        source_rotate_key(actor=None, source=issued.source)


def test_a_bad_allowlist_names_the_field_in_italian(camera):
    with pytest.raises(ValidationError) as caught:
        make_source(camera.owner, ip_allowlist="192.0.2.0/24\nnot-an-address")
    assert "not-an-address" in caught.value.message_dict["ip_allowlist"][0]
    assert "non è un indirizzo IP" in caught.value.message_dict["ip_allowlist"][0]
    assert not AnalyticsSource.objects.exists()


ACTORS = ["other_org", "official", "auditor", "region_manager", "own_staff", "own_manager"]
MANAGERS = {"region_manager", "own_staff", "own_manager"}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_manages_a_source(camera, actor):
    owner = camera.owner
    region = OrganisationFactory(kind=OrganisationKind.REGION, name="Regione")
    user = {
        "other_org": lambda: make_user(Role.APPLICANT, OrganisationFactory()),
        "official": lambda: make_user(Role.REGIONAL_OFFICIAL, region),
        "auditor": lambda: make_user(Role.AUDITOR, region),
        "region_manager": lambda: make_user(Role.INVENTORY_MANAGER, region),
        "own_staff": lambda: make_user(Role.APPLICANT, owner),
        "own_manager": lambda: make_user(Role.INVENTORY_MANAGER, owner),
    }[actor]()
    existing = make_source(owner, name="Esistente")
    before = (AnalyticsSource.objects.count(), SourceKey.objects.count(), AuditEvent.objects.count())
    calls = [
        lambda: source_create(actor=user, owner=owner, name="Nuova"),
        lambda: source_rotate_key(actor=user, source=existing.source),
        lambda: source_update(actor=user, source=existing.source, description="x", ip_allowlist=""),
        lambda: source_revoke(actor=user, source=existing.source),
    ]
    if actor in MANAGERS:
        for call in calls:
            call()
        assert AnalyticsSource.objects.get(pk=existing.source.pk).revoked_at is not None
        assert AuditEvent.objects.filter(actor=user).count() == 4
    else:
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
        assert (
            AnalyticsSource.objects.count(),
            SourceKey.objects.count(),
            AuditEvent.objects.count(),
        ) == before
