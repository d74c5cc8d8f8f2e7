"""For the PostgreSQL plan tests of hot queries (tests/test_query_plans.py in each app): fill a
table with many rows cloned from one real row, run the real selector while capturing its SQL,
and read the plans PostgreSQL makes for that SQL. A later change to a selector is what the tests
then check, not a hand-written copy of its query.

`clone_rows` writes inside the test's transaction. Django's test case checks the deferred
foreign keys at its end, so cloned rows must point at rows that exist (or at columns with no
constraint, like the passage log's household)."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# A table with fewer rows than this may be read whole (see _big).
SMALL = 1000


def clone_rows(table: str, count: int, **expressions: str) -> None:
    """Adds `count` copies of the table's first row; `expressions` give columns SQL computed from
    `g` (1..count), e.g. scanned_at="now() - g * interval '1 minute'". Then ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            [table],
        )
        columns = [row[0] for row in cursor.fetchall()]
        unknown = set(expressions) - set(columns)
        if unknown:
            raise ValueError(f"{table} has no columns {sorted(unknown)}")
        names = ", ".join(f'"{name}"' for name in columns)
        values = ", ".join(expressions.get(name, f't."{name}"') for name in columns).replace("%", "%%")
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {values} FROM '  # noqa: S608 (test tables and expressions)
            f'(SELECT * FROM "{table}" ORDER BY id LIMIT 1) t, generate_series(1, %s) g',
            [count],
        )
        cursor.execute(f'ANALYZE "{table}"')


@dataclass
class Plan:
    sql: str
    tree: dict[str, Any]

    def nodes(self) -> Iterator[dict[str, Any]]:
        stack = [self.tree]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(node.get("Plans", []))

    def relations(self, prefix: str) -> set[str]:
        """The tables (and partitions) named `prefix…` that the plan reads."""
        return {node["Relation Name"] for node in self.nodes() if node.get("Relation Name", "").startswith(prefix)}

    def seq_scans(self, prefixes: tuple[str, ...]) -> list[str]:
        return [
            node["Relation Name"]
            for node in self.nodes()
            if node["Node Type"] == "Seq Scan" and node["Relation Name"].startswith(prefixes)
        ]

    def text(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {self.sql}")
            return "\n".join(row[0] for row in cursor.fetchall())


def plan(sql: str, params: Any = None) -> Plan:
    """The plan of one statement with its parameters (for SQL a module runs on its own cursor)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
        shown = cursor.mogrify(sql, params) if params else sql
    tree = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    return Plan(shown if isinstance(shown, str) else shown.decode(), tree)


def assert_no_seq_scan_in(plans: list[Plan], *tables: str) -> None:
    """As `assert_no_seq_scan`, for plans already made."""
    for one in plans:
        big = _big(one.seq_scans(tables))
        assert not big, f"sequential scan of {big}:\n{one.sql}\n{one.text()}"


def plans_of(run: Callable[[], Any], *, touching: tuple[str, ...] = ("",)) -> list[Plan]:
    """The plans of the SELECTs `run` makes (those naming one of `touching`, if given)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    found = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or not any(name in sql for name in touching):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (document,) = cursor.fetchone()
        tree = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
        found.append(Plan(sql, tree))
    return found


def assert_no_seq_scan(run: Callable[[], Any], *tables: str) -> list[Plan]:
    """Runs `run`; fails if a plan of its SQL reads any of `tables` (or their partitions) of
    SMALL rows or more with a sequential scan, or if none of its SQL reads them at all. Returns
    the plans."""
    plans = plans_of(run, touching=tables)
    assert plans, f"no query read {tables}"
    for plan in plans:
        big = _big(plan.seq_scans(tables))
        assert not big, f"sequential scan of {big}:\n{plan.sql}\n{plan.text()}"
    return plans


def _big(relations: list[str]) -> list[str]:
    """Those of `relations` with at least SMALL rows by the statistics: a sequential scan of an
    empty partition (a month ahead, the default) reads nothing and is what PostgreSQL should do."""
    if not relations:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples >= %s", [relations, SMALL])
        return sorted(row[0] for row in cursor.fetchall())
