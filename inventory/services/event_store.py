"""The SQL of analytics ingestion, one statement per step whatever the batch's size.

On PostgreSQL every list travels as one array parameter (`= ANY(%s)`, `unnest(...)`): a statement
with ten thousand `%s` costs more to prepare in the driver than to run. Elsewhere (SQLite) plain
multi-row VALUES and IN lists. Callers hold the transaction.
"""

import datetime
import uuid

from django.db import connection

EVENTS = "inventory_analyticsevent"
DAILY = "inventory_devicedailystat"
DEVICES = "inventory_device"
EVENT_COLUMNS = (
    "source_id, event_id, device_id, occurred_at, received_at, kind, severity, value, zone, confidence"
)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _in(column: str, values: list, cast: str) -> tuple[str, list]:
    if _pg():
        return f"{column} = ANY(%s::{cast}[])", [_array(values, "text" if cast == "varchar" else "plain")]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _cursor():
    """On PostgreSQL a server-side binding cursor of psycopg on Django's connection (same
    transaction): the arrays travel as parameters, dumped in binary by psycopg's C code, rather than
    quoted into the statement's text by Django's client-side cursor."""
    if _pg():
        import psycopg

        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()


def _fetch(sql: str, params: list) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _db_uuid(value: uuid.UUID):
    return value if _pg() else value.hex


def _db_time(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def devices_matching(owner_id: int, refs: list[str]) -> list[tuple]:
    """(id, asset tag, serial, status) of the owner's devices whose tag or serial is in refs."""
    tags, tag_params = _in("asset_tag", refs, "varchar")
    serials, serial_params = _in("serial_number", refs, "varchar")
    return _fetch(
        f"SELECT id, asset_tag, serial_number, status FROM {DEVICES} "  # noqa: S608
        f"WHERE owner_id = %s AND ({tags} OR {serials})",
        [owner_id, *tag_params, *serial_params],
    )


def known_event_ids(source_id: int, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    where, params = _in("event_id", [_db_uuid(e) for e in event_ids], "uuid")
    rows = _fetch(f"SELECT event_id FROM {EVENTS} WHERE source_id = %s AND {where}", [source_id, *params])  # noqa: S608
    return {_uuid(value) for (value,) in rows}


def lock_devices(ids: list[int]) -> dict[int, tuple[str, datetime.datetime | None]]:
    """Lock the devices' rows in id order (batches touching the same devices queue, never deadlock):
    {id: (status, last seen)}."""
    where, params = _in("id", sorted(ids), "bigint")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = _fetch(f"SELECT id, status, last_seen_at FROM {DEVICES} WHERE {where} ORDER BY id{lock}", params)  # noqa: S608
    if not _pg():  # SQLite hands datetimes back as text through a raw cursor
        rows = [(pk, status, _parse(seen)) for pk, status, seen in rows]
    return {pk: (status, seen) for pk, status, seen in rows}


def _parse(value):
    if value is None:
        return None
    moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _array(values, kind: str) -> str:
    """A PostgreSQL array literal, built here in one pass: psycopg's generic list dumper calls a
    dumper per element, the largest cost of a batch after the database itself."""
    if kind == "text":
        items = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    elif kind == "time":
        items = (v.isoformat() for v in values)
    else:  # uuids, integers, floats (None: NULL)
        items = ("NULL" if v is None else str(v) for v in values)
    return "{" + ",".join(items) + "}"


def insert_events(source_id: int, received_at: datetime.datetime, rows: list[tuple]) -> set[uuid.UUID]:
    """rows: (event id, device id, occurred at, kind, severity, value, zone, confidence). Returns
    the event ids inserted now (ON CONFLICT DO NOTHING: another batch may have stored some)."""
    conflict = " ON CONFLICT (source_id, event_id, occurred_at) DO NOTHING RETURNING event_id"
    if _pg():
        columns = list(zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {EVENTS} ({EVENT_COLUMNS}) SELECT %s, e, d, o, %s, k, s, v, z, c FROM unnest("  # noqa: S608
            "%s::uuid[], %s::bigint[], %s::timestamptz[], %s::varchar[], %s::varchar[], "
            "%s::float8[], %s::varchar[], %s::float8[]) AS t(e, d, o, k, s, v, z, c)" + conflict
        )
        kinds = ("plain", "plain", "time", "text", "text", "plain", "text", "plain")
        arrays = [_array(column, kind) for column, kind in zip(columns, kinds, strict=True)]
        values = _fetch(sql, [source_id, received_at, *arrays])
    else:
        received = _db_time(received_at)
        params = []
        for event_id, device_id, occurred, kind, severity, value, zone, confidence in rows:
            params += [source_id, event_id.hex, device_id, _db_time(occurred), received]
            params += [kind, severity, value, zone, confidence]
        placeholders = ",".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        values = _fetch(f"INSERT INTO {EVENTS} ({EVENT_COLUMNS}) VALUES {placeholders}{conflict}", params)  # noqa: S608
    return {_uuid(value) for (value,) in values}


_DAILY_UPDATE = (
    f" ON CONFLICT (device_id, kind, day) DO UPDATE SET count = {DAILY}.count + excluded.count, "
    f"value_count = {DAILY}.value_count + excluded.value_count, "
    f"value_sum = {DAILY}.value_sum + excluded.value_sum, "
    f"value_max = CASE WHEN excluded.value_max IS NULL THEN {DAILY}.value_max "
    f"WHEN {DAILY}.value_max IS NULL OR excluded.value_max > {DAILY}.value_max THEN excluded.value_max "
    f"ELSE {DAILY}.value_max END"
)


def add_daily(figures: list[tuple]) -> None:
    """figures: (device id, kind, day, count, value count, value sum, value max), sorted."""
    columns = "device_id, kind, day, count, value_count, value_sum, value_max"
    with _cursor() as cursor:
        if _pg():
            cursor.execute(
                f"INSERT INTO {DAILY} ({columns}) SELECT * FROM unnest(%s::bigint[], %s::varchar[], "  # noqa: S608
                "%s::date[], %s::int[], %s::int[], %s::float8[], %s::float8[])" + _DAILY_UPDATE,
                [
                    _array(c, kind)
                    for c, kind in zip(
                        zip(*figures, strict=True),
                        ("plain", "text", "time", "plain", "plain", "plain", "plain"),
                        strict=True,
                    )
                ],
            )
            return
        params = [v if not isinstance(v, datetime.date) else v.isoformat() for row in figures for v in row]
        placeholders = ",".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(figures))
        cursor.execute(f"INSERT INTO {DAILY} ({columns}) VALUES {placeholders}{_DAILY_UPDATE}", params)  # noqa: S608


def move_last_seen(latest: dict[int, datetime.datetime]) -> None:
    """Set each device's last seen (the caller locked the rows and kept only later moments)."""
    with _cursor() as cursor:
        if _pg():
            ids, moments = zip(*sorted(latest.items()), strict=True)
            cursor.execute(
                f"UPDATE {DEVICES} AS d SET last_seen_at = t.seen "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS t(id, seen) WHERE d.id = t.id",
                [_array(ids, "plain"), _array(moments, "time")],
            )
            return
        for pk, moment in sorted(latest.items()):
            cursor.execute(f"UPDATE {DEVICES} SET last_seen_at = %s WHERE id = %s", [_db_time(moment), pk])  # noqa: S608
