"""Threshold rules raise one notification per episode, not per event, to the owner's inventory
managers."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inventory.models import AnalyticsEpisode, AnalyticsRule
from inventory.services.rules import rule_create
from portal.choices import Role
from portal.models import InboxMessage
from tests.factories import OrganisationFactory, make_user
from tests.inventory.analytics_helpers import deployed_camera, event, make_source, post
from tests.inventory.factories import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """The rules' task is queued on commit; the tests' transaction never commits, so run it at once."""
    from portal import jobs

    monkeypatch.setattr(jobs.transaction, "on_commit", lambda func, *a, **k: func())


@pytest.fixture
def world(comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    manager = make_user(Role.INVENTORY_MANAGER, camera.owner)
    return camera, issued, manager


def test_crowd_density_above_a_threshold_notifies_once_per_episode(client, world):
    _camera, issued, manager = world
    rule_create(
        actor=manager, source=issued.source, name="Folla in piazza", kind="crowd_density", threshold=4.0
    )
    # Three batches within the same hour above the threshold, one below: one episode, one message.
    for minutes in (200, 190, 170):
        post(client, issued.key, [event(kind="crowd_density", value=5.0, minutes_ago=minutes)])
    post(client, issued.key, [event(kind="crowd_density", value=1.0, minutes_ago=160)])
    episode = AnalyticsEpisode.objects.get()
    assert episode.events == 3
    assert InboxMessage.objects.filter(user=manager).count() == 1
    assert len(mail.outbox) == 1
    assert "Folla in piazza" in mail.outbox[0].subject
    # After a quiet hour, a new episode and a new message.
    post(client, issued.key, [event(kind="crowd_density", value=6.5, minutes_ago=30)])
    assert AnalyticsEpisode.objects.count() == 2
    assert InboxMessage.objects.filter(user=manager).count() == 2


def test_more_than_n_events_within_an_hour(client, world):
    _camera, issued, manager = world
    rule_create(actor=manager, source=issued.source, name="Intrusioni", kind="intrusion", min_count=3)
    post(client, issued.key, [event(kind="intrusion", minutes_ago=m) for m in (50, 40, 30)])
    assert not AnalyticsEpisode.objects.exists()  # three is not more than three
    post(
        client, issued.key, [event(kind="intrusion", minutes_ago=20), event(kind="intrusion", minutes_ago=10)]
    )
    episode = AnalyticsEpisode.objects.get()
    assert episode.events == 2
    assert InboxMessage.objects.filter(user=manager).count() == 1


def test_a_site_rule_looks_only_at_that_site(client, world):
    camera, issued, manager = world
    other_site = make_site(camera.owner, name="Altro sito")
    rule_create(
        actor=manager,
        source=issued.source,
        name="Solo altrove",
        kind="crowd_density",
        threshold=1,
        site=other_site,
    )
    post(client, issued.key, [event(kind="crowd_density", value=9.0)])
    assert not AnalyticsEpisode.objects.exists()


def test_a_rule_needs_one_condition_and_its_owner(world):
    _camera, issued, manager = world
    with pytest.raises(ValidationError) as caught:
        rule_create(
            actor=manager, source=issued.source, name="X", kind="crowd_density", threshold=1, min_count=2
        )
    assert "threshold" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        rule_create(
            actor=make_user(Role.APPLICANT, OrganisationFactory()),
            source=issued.source,
            name="X",
            kind="intrusion",
            min_count=2,
        )
    assert not AnalyticsRule.objects.exists()


def test_the_source_page_adds_a_rule_and_lists_episodes(client, world):
    _camera, issued, manager = world
    client.force_login(manager)
    url = reverse("inventory:source_detail", args=[issued.source.pk])
    response = client.post(
        url, {"action": "rule", "name": "Folla", "kind": "crowd_density", "threshold": "3"}
    )
    assert response.status_code == 302
    post(client, issued.key, [event(kind="crowd_density", value=4.0)])
    page = client.get(url).content.decode()
    assert "Folla" in page
    assert "Ultimi episodi" in page
