"""Threshold rules on a source's events and their episodes: one notification per episode, never one
per event. An episode opens with the first event meeting the rule and goes on while the next ones
come within EPISODE_GAP; after a quiet hour the next event opens a new episode.

Rules are evaluated by a task after the batch's transaction commits (inventory.tasks), the rule's row
locked, so two batches evaluated at once extend one episode instead of opening two.
"""

import datetime
from bisect import bisect_left

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from inventory.choices import EventKind
from inventory.models import (
    AnalyticsEpisode,
    AnalyticsEvent,
    AnalyticsRule,
    AnalyticsSource,
    Assignment,
    Site,
)
from inventory.services.common import ERROR_REQUIRED, Errors, clean_text, require_owner
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.choices import Role
from portal.models import User
from portal.notifications import notify, notify_in_app

EPISODE_WINDOW = datetime.timedelta(hours=1)
EPISODE_GAP = datetime.timedelta(hours=1)
ERROR_ONE_CONDITION = _("Give either a value threshold or a number of events within an hour, not both.")
ERROR_COUNT = _("The number of events is a whole number from 1 upwards.")
ERROR_SITE_OTHER_OWNER = _("The site belongs to another organisation.")
ERROR_KIND = _("Unknown kind of event.")


def rule_create(
    *,
    actor: User | None,
    source: AnalyticsSource,
    name: str,
    kind: str,
    threshold: float | None = None,
    min_count: int | None = None,
    site: Site | None = None,
) -> AnalyticsRule:
    require_owner(actor, source.owner_id)
    errors = Errors()
    name = clean_text(name, 120)
    if not name:
        errors.add("name", ERROR_REQUIRED, code="required")
    if kind not in EventKind.values:
        errors.add("kind", ERROR_KIND, code="invalid")
    if (threshold is None) == (min_count is None):
        errors.add("threshold", ERROR_ONE_CONDITION, code="invalid")
    if min_count is not None and (
        isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1
    ):
        errors.add("min_count", ERROR_COUNT, code="invalid")
    if site is not None and site.owner_id != source.owner_id:
        errors.add("site", ERROR_SITE_OTHER_OWNER, code="invalid")
    errors.raise_if_any()
    with transaction.atomic():
        rule = AnalyticsRule.objects.create(
            source=source, site=site, name=name, kind=kind, threshold=threshold, min_count=min_count
        )
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.analytics_rule.created",
                    actor=actor,
                    organisation=source.owner,
                    target=rule,
                    after=snapshot(rule, ("source", "site", "name", "kind", "threshold", "min_count")),
                )
            ]
        )
    return rule


def triggers(rule: AnalyticsRule, *, since: datetime.datetime, until: datetime.datetime) -> list[tuple]:
    """(moment, value) of the events in [since, until] that meet the rule."""
    events = AnalyticsEvent.objects.filter(source_id=rule.source_id, kind=rule.kind)
    if rule.site_id:
        here = Assignment.objects.filter(site_id=rule.site_id, ended_on__isnull=True).values("device_id")
        events = events.filter(device_id__in=here)
    if rule.threshold is not None:
        rows = events.filter(occurred_at__gte=since, occurred_at__lte=until, value__gt=rule.threshold)
        return sorted(rows.values_list("occurred_at", "value"))
    moments = sorted(
        events.filter(occurred_at__gt=since - EPISODE_WINDOW, occurred_at__lte=until).values_list(
            "occurred_at", flat=True
        )
    )
    met = []
    for i, moment in enumerate(moments):
        in_window = i + 1 - bisect_left(moments, moment - EPISODE_WINDOW + datetime.timedelta(microseconds=1))
        if moment >= since and in_window > rule.min_count:
            met.append((moment, float(in_window)))
    return met


def rules_evaluate(*, source_id: int, since: datetime.datetime, until: datetime.datetime) -> int:
    """Open or extend the episodes of the source's active rules; returns the episodes opened."""
    opened = 0
    for rule_id in AnalyticsRule.objects.filter(source_id=source_id, is_active=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            rule = AnalyticsRule.objects.select_for_update().select_related("source__owner").get(pk=rule_id)
            episode = rule.episodes.order_by("-started_at").first()
            for moment, value in triggers(rule, since=since, until=until):
                if episode is not None and episode.started_at <= moment <= episode.last_at:
                    continue  # already counted (a batch evaluated again)
                if episode is not None and episode.last_at < moment <= episode.last_at + EPISODE_GAP:
                    episode.last_at = moment
                    episode.events += 1
                    episode.peak = value if episode.peak is None else max(episode.peak, value)
                    episode.save(update_fields=["last_at", "events", "peak"])
                    continue
                if episode is not None and moment < episode.started_at:
                    continue  # late events of an older, closed episode
                episode = AnalyticsEpisode.objects.create(
                    rule=rule, started_at=moment, last_at=moment, peak=value
                )
                _notify(episode)
                opened += 1
    return opened


def _notify(episode: AnalyticsEpisode) -> None:
    rule = episode.rule
    owner = rule.source.owner
    managers = list(
        User.objects.filter(
            memberships__organisation=owner,
            memberships__role=Role.INVENTORY_MANAGER,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )
    when = timezone.localtime(episode.started_at)
    subject = _t("Analytics: “%(rule)s” from %(when)s") % {
        "rule": rule.name,
        "when": f"{when:%d/%m/%Y %H:%M}",
    }
    body = _t(
        "The rule “%(rule)s” of the source “%(source)s” (%(kind)s) is met since %(when)s. "
        "One message per episode: the next events within an hour belong to it."
    ) % {
        "rule": rule.name,
        "source": rule.source.name,
        "kind": EventKind(rule.kind).label,
        "when": f"{when:%H:%M}",
    }
    key = f"analytics-episode:{episode.pk}"
    url = reverse("inventory:source_detail", args=[rule.source_id])
    notify_in_app(key=key, users=managers, subject=subject, body=body, url=url)
    notify(key=key, recipients=[u.email for u in managers], subject=subject, body=body)
