"""Many new rows of one model in a few statements, for the services that write hundreds at once (an
adopted allocation: 1,181 commitments and their audit events in one transaction)."""

import enum
import json
from decimal import Decimal

from django.db import connections, models, router
from django.utils.functional import Promise

BATCH_SIZE = 1000


def _plain(value):
    """A value psycopg adapts as the column wants: enum members and lazy texts as their text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Promise):
        return str(value)
    return value


def _column_value(field: models.Field, obj: models.Model):
    if isinstance(field, models.DateField) and (getattr(field, "auto_now", False) or field.auto_now_add):
        field.pre_save(obj, add=True)  # fills the attribute, as save() and bulk_create() do
    value = getattr(obj, field.attname)
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder)
    if isinstance(field, models.DecimalField) and isinstance(value, int):
        return Decimal(value)  # psycopg wants one type in an array: a default of 0 beside Decimals
    return _plain(value)


def _unnestable(fields: list[models.Field], connection) -> bool:
    return all(
        not hasattr(field, "get_placeholder")
        and (field.target_field if field.is_relation else field).get_internal_type() in connection.data_types
        for field in fields
    )


def bulk_insert(objs: list[models.Model], *, batch_size: int = BATCH_SIZE) -> list[models.Model]:
    """Insert unsaved instances of one model and set their primary keys: what bulk_create does, with
    the same statement on PostgreSQL (INSERT ... SELECT * FROM UNNEST(arrays) RETURNING the keys, in
    the arrays' order), but the values read straight from the instances: bulk_create prepares each
    value through its field, which costs more than the database's work for rows like these. The
    constraints, triggers and defaults of the table apply as usual; no signals are sent (as with
    bulk_create). Other databases, and models whose fields need their own placeholder: bulk_create."""
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    generated_pk = opts.pk.db_returning
    fields = [f for f in opts.concrete_fields if not (f.primary_key and generated_pk) and not f.generated]
    if (
        connection.vendor != "postgresql"
        or opts.parents  # multi-table inheritance: rows in several tables
        or not _unnestable(fields, connection)
        or (generated_pk and any(obj.pk is not None for obj in objs))
    ):
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%b::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({columns}) SELECT * FROM UNNEST({arrays}) "  # noqa: S608
        f"RETURNING {quote(opts.pk.column)}"
    )
    with _binary_cursor(connection) as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            cursor.execute(sql, [[_column_value(f, obj) for obj in batch] for f in fields])
            returned = cursor.fetchall()
            for obj, (pk,) in zip(batch, returned, strict=True):
                setattr(obj, opts.pk.attname, pk)
                obj._state.adding = False
                obj._state.db = using
    return objs


def _binary_cursor(connection):
    """A cursor that sends parameters apart from the statement, in binary (%b): the project's cursors
    bind on the client, quoting each array element into the SQL text, which costs more than the
    insert itself. Wrapped as Django wraps its own, so the statement is logged and counted."""
    import psycopg  # only on PostgreSQL

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def bulk_set(
    model: type[models.Model], field_name: str, pairs: list[tuple], *, batch_size: int = BATCH_SIZE
) -> None:
    """Set one column of many rows, each to its own value: (pk, value) pairs, one UPDATE ... FROM per
    batch (bulk_update's CASE of a thousand branches costs more than the rows' inserts). PostgreSQL
    takes the pairs as two arrays; other databases (SQLite 3.33+) as a VALUES list, whose columns are
    column1, column2."""
    if not pairs:
        return
    opts = model._meta
    field = opts.get_field(field_name)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, column, pk = quote(opts.db_table), quote(field.column), quote(opts.pk.column)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        pk_type = opts.pk.db_type(connection).split("(")[0]
        value_type = field.db_type(connection).split("(")[0]
        cursor_cm = _binary_cursor(connection)
    else:
        cursor_cm = connection.cursor()
    with cursor_cm as cursor:
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start : start + batch_size]
            if postgresql:
                cursor.execute(
                    f"UPDATE {table} SET {column} = v.value "  # noqa: S608
                    f"FROM UNNEST(%b::{pk_type}[], %b::{value_type}[]) AS v(pk, value) "
                    f"WHERE {table}.{pk} = v.pk",
                    [[p for p, _ in batch], [_plain(v) for _, v in batch]],
                )
            else:
                values = ", ".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
                    f"WHERE {table}.{pk} = v.column1",
                    [value for pair in batch for value in pair],
                )
