"""Import of China's statistical division codes (five files, province to community).

The whole file set is read and checked before anything is written; then one transaction inserts
the new places level by level (COPY on PostgreSQL, one prepared INSERT on SQLite) and renames the
places whose name changed. Codes are the identity: a re-run creates nothing and changes nothing.
"""

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tongzhou.core.scope import SEPARATOR
from tongzhou.places.models import OFFICIAL_CODE_LENGTH, Place, PlaceKind


@dataclass(frozen=True)
class Level:
    stem: str
    kind: str
    parent_column: str | None

    @property
    def columns(self) -> tuple[str, ...]:
        return ("code", "name") + ((self.parent_column,) if self.parent_column else ())


LEVELS = (
    Level("provinces", PlaceKind.PROVINCE, None),
    Level("cities", PlaceKind.CITY, "provinceCode"),
    Level("areas", PlaceKind.DISTRICT, "cityCode"),
    Level("streets", PlaceKind.STREET, "areaCode"),
    Level("villages", PlaceKind.COMMUNITY, "streetCode"),
)
MAX_ERRORS = 20
INSERT_CHUNK = 50_000  # rows per COPY or executemany, so the progress bar moves
INSERT_COLUMNS = ("kind", "code", "name", "parent_id", "path", "depth", "created_at", "updated_at")


class DivisionImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    renamed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_renamed(self) -> int:
        return sum(self.renamed.values())


# progress(phase, n, total): n more rows done in phase "read" or "write"; total if known, else 0.
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, n: int, total: int) -> None:
    pass


def find_file(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz"):
        if candidate.exists():
            return candidate
    raise DivisionImportError([f"{directory / stem}.csv: file not found (nor {stem}.csv.gz)"])


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _read(path: Path, level: Level) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in level.columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DivisionImportError([f"{path.name}: line 1: missing column(s) {', '.join(missing)}"])
        for row in reader:
            yield reader.line_num, row


def read_divisions(directory: Path, progress: Progress = _no_progress) -> list[list[tuple[str, str, str | None]]]:
    """Read and check the five files. Returns, per level, (code, name, parent code) rows.
    Raises DivisionImportError naming the file and line of every problem (up to MAX_ERRORS)."""
    errors: list[str] = []
    levels: list[list[tuple[str, str, str | None]]] = []
    known: set[str] = {c for c in Place.objects.filter(code__isnull=False).values_list("code", flat=True) if c}
    for level in LEVELS:
        path = find_file(directory, level.stem)
        length = OFFICIAL_CODE_LENGTH[level.kind]
        rows: list[tuple[str, str, str | None]] = []
        seen: set[str] = set()
        for line, row in _read(path, level):
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            parent = (row.get(level.parent_column) or "").strip() if level.parent_column else None
            where = f"{path.name}: line {line}"
            if len(code) != length or not code.isdigit():
                errors.append(f"{where}: code {code!r} should be {length} digits")
            elif code in seen:
                errors.append(f"{where}: code {code} appears twice")
            elif not name or len(name) > 100:
                errors.append(f"{where}: name must be 1 to 100 characters")
            elif parent is not None and parent not in known:
                errors.append(f"{where}: code {code} has no parent {level.parent_column}={parent!r} (orphan)")
            elif parent is not None and not code.startswith(parent):
                errors.append(f"{where}: code {code} does not start with its parent code {parent}")
            else:
                seen.add(code)
                rows.append((code, name, parent))
            if len(errors) >= MAX_ERRORS:
                raise DivisionImportError([*errors, "(stopped after the first errors)"])
            if line % 10000 == 0:
                progress("read", 10000, 0)
        progress("read", len(rows) % 10000, 0)
        known |= seen
        levels.append(rows)
    if errors:
        raise DivisionImportError(errors)
    return levels


def _insert(rows: list[tuple[Any, ...]]) -> None:
    table = Place._meta.db_table
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(INSERT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
        with connection.cursor() as cursor:
            sql = f"INSERT INTO {table} ({', '.join(INSERT_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 (constants only)
            cursor.executemany(sql, rows)


def write_divisions(levels: list[list[tuple[str, str, str | None]]], progress: Progress = _no_progress) -> ImportResult:
    """Create the places that are new and rename the ones whose name changed, in one transaction."""
    result = ImportResult()
    total = sum(len(rows) for rows in levels)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic():
        existing: dict[str, tuple[int, str, str]] = {
            str(code): (pk, name, path)
            for code, pk, name, path in Place.objects.filter(code__isnull=False).values_list(
                "code", "pk", "name", "path"
            )
        }
        for depth, (level, rows) in enumerate(zip(LEVELS, levels, strict=True)):
            new_rows: list[tuple[Any, ...]] = []
            renamed: list[Place] = []
            for code, name, parent_code in rows:
                current = existing.get(code)
                if current is None:
                    if parent_code is None:
                        parent_id, parent_path = None, SEPARATOR
                    else:
                        parent_id, _name, parent_path = existing[parent_code]
                    new_rows.append(
                        (level.kind, code, name, parent_id, f"{parent_path}{code}{SEPARATOR}", depth, now, now)
                    )
                elif current[1] != name:
                    renamed.append(Place(pk=current[0], name=name, updated_at=timezone.now()))
                else:
                    result.unchanged += 1
            progress("write", len(rows) - len(new_rows), total)
            for start in range(0, len(new_rows), INSERT_CHUNK):
                chunk = new_rows[start : start + INSERT_CHUNK]
                _insert(chunk)
                progress("write", len(chunk), total)
            if new_rows and depth + 1 < len(LEVELS):  # the next level needs the new ids as parents
                existing.update(
                    (str(code), (pk, name, path))
                    for code, pk, name, path in Place.objects.filter(kind=level.kind)
                    .values_list("code", "pk", "name", "path")
                    .iterator(chunk_size=20000)
                )
            if renamed:
                Place.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=2000)
            result.created[level.kind] = len(new_rows)
            result.renamed[level.kind] = len(renamed)
    return result


def import_divisions(directory: Path, progress: Progress = _no_progress) -> ImportResult:
    return write_divisions(read_divisions(directory, progress), progress)
