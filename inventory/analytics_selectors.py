"""Reads of the analytics output, scoped like the devices: the events per day by kind of a device, a
site or a comune (from the daily figures, so they outlive the raw events' retention), the latest raw
events, and the sources a user may see."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from inventory.choices import EventKind
from inventory.models import AnalyticsEvent, AnalyticsSource, Device, DeviceDailyStat, Site
from inventory.selectors import _scoped

DAYS = 30


@dataclass
class DailyTable:
    """Events per day (rows, newest first) by kind (columns): counts, and per kind the largest and
    mean value over the period where the events carry one."""

    days: list[datetime.date]
    kinds: list[tuple[str, str]]
    counts: dict[tuple[datetime.date, str], int]
    totals: dict[str, int] = field(default_factory=dict)
    value_max: dict[str, float] = field(default_factory=dict)
    value_mean: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> list[tuple[datetime.date, list[int], int]]:
        out = []
        for day in self.days:
            cells = [self.counts.get((day, kind), 0) for kind, _label in self.kinds]
            out.append((day, cells, sum(cells)))
        return out

    @property
    def peak(self) -> int:
        return max([total for _day, _cells, total in self.rows] + [1])


def scope_filter(*, device: Device | None = None, site: Site | None = None, comune=None) -> Q:
    """Devices of a scope: one device, those standing at a site now, or at the sites of a comune."""
    if device is not None:
        return Q(device=device)
    if site is not None:
        return Q(device__assignments__site=site, device__assignments__ended_on__isnull=True)
    return Q(device__assignments__site__comune=comune, device__assignments__ended_on__isnull=True)


def daily_table(*, user, scope: Q, days: int = DAYS, today: datetime.date | None = None) -> DailyTable:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days - 1)
    rows = list(
        _scoped(DeviceDailyStat.objects.filter(scope, day__gte=since), user, "device__owner_id")
        .values("day", "kind")
        .annotate(
            count=Sum("count"),
            value_count=Sum("value_count"),
            value_sum=Sum("value_sum"),
            top=Max("value_max"),
        )
        .order_by()
    )
    present = {r["kind"] for r in rows}
    kinds = [(k.value, str(k.label)) for k in EventKind if k.value in present]
    table = DailyTable(
        days=sorted({r["day"] for r in rows}, reverse=True),
        kinds=kinds,
        counts={(r["day"], r["kind"]): r["count"] for r in rows},
    )
    for kind, _label in kinds:
        mine = [r for r in rows if r["kind"] == kind]
        table.totals[kind] = sum(r["count"] for r in mine)
        with_value = sum(r["value_count"] for r in mine)
        if with_value:
            table.value_mean[kind] = sum(r["value_sum"] for r in mine) / with_value
            table.value_max[kind] = max(r["top"] for r in mine if r["top"] is not None)
    return table


def latest_events(*, user, scope: Q, limit: int = 20) -> QuerySet[AnalyticsEvent]:
    return (
        _scoped(AnalyticsEvent.objects.filter(scope), user, "device__owner_id")
        .select_related("device", "source")
        .order_by("-occurred_at")[:limit]
    )


def source_list(*, user) -> QuerySet[AnalyticsSource]:
    return _scoped(AnalyticsSource.objects.select_related("owner"), user).prefetch_related("keys")
