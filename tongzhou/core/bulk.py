"""Fast inserts of many model instances, for imports.

On PostgreSQL the ids are drawn from the table's sequence first and the rows go in with COPY, which
is several times faster than a multi-row INSERT for tens of thousands of rows; elsewhere Django's
bulk_create. Either way each value is prepared exactly as Django's own insert would prepare it
(`pre_save`, then `get_db_prep_save`), so timestamps are stamped, encrypted fields encrypted and
their blind indexes filled; and every instance has its id afterwards.

For a mass write where even a model instance per row costs too much (a notice's frozen recipient
list, its outbox rows), `copy_rows` and `insert_rows` take plain tuples of column values instead.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model, Value
from django.db.models.expressions import DatabaseDefault


@contextmanager
def _unstamped(model: type[Model], names: Sequence[str]) -> Iterator[None]:
    """While open, the named auto_now/auto_now_add fields keep the value the instance holds."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, getattr(f, "auto_now", False), getattr(f, "auto_now_add", False)) for f in fields]
    try:
        for f, _now, _add in saved:
            f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add  # type: ignore[union-attr]


def insert_many(objs: Sequence[Model], batch_size: int = 2000, *, as_given: Sequence[str] = ()) -> None:
    """`as_given`: timestamp fields (auto_now_add) whose values are taken from the instances
    instead of stamped now, for history written after the fact (`generate_city`)."""
    if not objs:
        return
    model = type(objs[0])
    with _unstamped(model, as_given):
        _insert_many(model, objs, batch_size)


def _insert_many(model: type[Model], objs: Sequence[Model], batch_size: int) -> None:
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_prepared(f, obj) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _prepared(field: Any, obj: Model) -> Any:
    value = field.pre_save(obj, True)
    if isinstance(value, DatabaseDefault):
        # COPY has no DEFAULT per value: write the constant the column's db_default names.
        default = field.db_default
        value = default.value if isinstance(default, Value) else default
    return field.get_db_prep_save(value, connection)


def copy_rows(model: type[Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL only: store `rows` (values of `columns` as the database keeps them: no field
    conversion, so an encrypted column gets its token) and return their ids in order: new ones
    from the table's sequence, or the rows' own when the primary key is among `columns`. No other
    query may run on the connection while the COPY is open, so every value is computed before."""
    if not rows:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if pk_column in columns:
            at = list(columns).index(pk_column)
            ids, names, values = [row[at] for row in rows], list(columns), list(rows)
        else:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            names = [pk_column, *columns]
            values = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        quoted = ", ".join(connection.ops.quote_name(c) for c in names)
        # As Django's own queries: a violated constraint is django.db.IntegrityError.
        with (
            connection.wrap_database_errors,
            cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
        ):
            for row in values:
                copy.write_row(row)
    return ids


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Store `rows` (values of `columns`, by attribute name: `notice_id`) and return their ids in
    order: `copy_rows` on PostgreSQL, bulk_create elsewhere. Only for models without field
    conversions on these columns (no encrypted fields): COPY writes the values as given."""
    if connection.vendor == "postgresql":
        column_of = {f.attname: f.column for f in model._meta.concrete_fields}
        return copy_rows(model, [column_of[c] for c in columns], rows)
    made = model._default_manager.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
    return [m.pk for m in made]


def update_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    match: str = "id",
    where: str = "",
    params: Sequence[Any] = (),
) -> int:
    """Give each row of the table its own values in one statement: `rows` are (value of `match`,
    values of `columns`...) by attribute name, written by `UPDATE ... FROM (VALUES ...)`
    (PostgreSQL, SQLite 3.33+). Values are prepared as Django's own save would (a datetime for the
    engine). `where` (SQL on the table's columns, with `params`; from code, never from input)
    narrows the rows changed: a compare-and-set. Returns the number of rows changed."""
    if not rows:
        return 0
    meta = model._meta
    field_of = {f.attname: f for f in meta.concrete_fields}
    fields = [field_of[match], *(field_of[c] for c in columns)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    postgres = connection.vendor == "postgresql"

    def value(n: int) -> str:
        # PostgreSQL types a VALUES column by its first row: cast, so a NULL or a text fits.
        return f"v.column{n + 1}::{fields[n].db_type(connection)}" if postgres else f"v.column{n + 1}"

    sets = ", ".join(f"{quote(f.column)} = {value(n)}" for n, f in enumerate(fields) if n)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    changed = 0
    size = max(1, 30_000 // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = [f.get_db_prep_save(v, connection) for row in chunk for f, v in zip(fields, row, strict=True)]
            # Names quoted from the model, values as parameters, `where` from the caller's code.
            sql = (
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([one] * len(chunk))}) AS v "  # noqa: S608
                f"WHERE {table}.{quote(fields[0].column)} = {value(0)}" + (f" AND ({where})" if where else "")
            )
            cursor.execute(sql, [*values, *params])
            changed += cursor.rowcount
    return changed
