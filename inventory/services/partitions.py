"""The raw analytics events' storage: monthly partitions on PostgreSQL, retention everywhere.

On PostgreSQL `inventory_analyticsevent` is partitioned by range of `occurred_at`, one partition per
calendar month (UTC): the daily job creates the coming months ahead, and retention drops whole
partitions past the retention period (then deletes, in the one partition that straddles the
cut-off, the rows older than it, so that nothing outlives the period by more than a day). On SQLite
the table is plain and retention is a DELETE. The daily figures (DeviceDailyStat) are never purged.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from inventory import conf

PARENT = "inventory_analyticsevent"
MONTHS_AHEAD = 3
_NAME = re.compile(rf"^{PARENT}_y(\d{{4}})m(\d{{2}})$")


def month_start(moment: datetime.date | datetime.datetime) -> datetime.date:
    return datetime.date(moment.year, moment.month, 1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(conn=connection) -> bool:
    return conn.vendor == "postgresql"


def partitions(conn=connection) -> list[datetime.date]:
    """The months that have a partition, in order."""
    if not is_partitioned(conn):
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        match = _NAME.match(name)
        if match:
            months.append(datetime.date(int(match[1]), int(match[2]), 1))
    return sorted(months)


def _bound(month: datetime.date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def create_partition_sql(month: datetime.date) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(add_months(month, 1))}')"
    )


def ensure_partitions(*, first: datetime.date, last: datetime.date, conn=connection) -> list[datetime.date]:
    """Create the missing monthly partitions from `first` to `last` (months); return those created."""
    if not is_partitioned(conn):
        return []
    existing = set(partitions(conn))
    created = []
    month = month_start(first)
    while month <= month_start(last):
        if month not in existing:
            with conn.cursor() as cursor:
                cursor.execute(create_partition_sql(month))
            created.append(month)
        month = add_months(month, 1)
    return created


_known_months: set[datetime.date] = set()


def ensure_months_for(moments) -> None:
    """Before inserting: a partition for each month of `moments` (normally made ahead by the daily
    job; this covers a beat that did not run). Remembered per process, so it costs nothing after."""
    if not is_partitioned():
        return
    needed = {month_start(m.astimezone(datetime.UTC)) for m in moments} - _known_months
    if not needed:
        return
    have = set(partitions())
    for month in sorted(needed - have):
        try:
            with transaction.atomic():
                ensure_partitions(first=month, last=month)
        except Exception:  # noqa: S110 - another process created it at the same moment
            pass
    _known_months.update(needed)


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=conf.get("ANALYTICS_RETENTION_DAYS"))


@dataclass
class MaintenanceRun:
    created: list[datetime.date]
    dropped: list[datetime.date]
    deleted: int


def events_maintain(*, now: datetime.datetime | None = None) -> MaintenanceRun:
    """The daily job: partitions for this month and the next ones, then retention."""
    now = now or timezone.now()
    created = ensure_partitions(first=now, last=add_months(month_start(now), MONTHS_AHEAD))
    dropped, deleted = events_purge(now=now)
    return MaintenanceRun(created=created, dropped=dropped, deleted=deleted)


def events_purge(*, now: datetime.datetime | None = None) -> tuple[list[datetime.date], int]:
    """Delete the raw events older than the retention period: whole partitions first."""
    cutoff = retention_cutoff(now)
    dropped = []
    with transaction.atomic():
        if is_partitioned():
            for month in partitions():
                upper = add_months(month, 1)
                if datetime.datetime(upper.year, upper.month, 1, tzinfo=datetime.UTC) <= cutoff:
                    with connection.cursor() as cursor:
                        cursor.execute(f"DROP TABLE {partition_name(month)}")
                    dropped.append(month)
                    _known_months.discard(month)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PARENT} WHERE occurred_at < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
    return dropped, deleted
