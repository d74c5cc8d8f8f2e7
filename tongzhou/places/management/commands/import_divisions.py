import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tongzhou.core.services import audit_log
from tongzhou.places.audit import PlacesAudit
from tongzhou.places.importers import DivisionImportError, import_divisions


class Command(BaseCommand):
    help = (
        "Create or update places from China's division code files (provinces, cities, areas, streets,"
        " villages; .csv or .csv.gz) in DIR. Re-runnable: codes are the identity."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, directory: Path, no_progress: bool, **options: Any) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a directory")
        bars: dict[str, tqdm] = {}

        def progress(phase: str, n: int, total: int) -> None:
            if no_progress:
                return
            if phase not in bars:
                for earlier in bars.values():
                    earlier.close()
                label = {"read": "checking", "write": "writing"}[phase]
                bars[phase] = tqdm(desc=label, total=total or None, unit=" places", unit_scale=True, file=sys.stderr)
            bars[phase].update(n)

        started = time.perf_counter()
        try:
            result = import_divisions(directory, progress)
        except DivisionImportError as error:
            raise CommandError("Nothing was imported:\n" + "\n".join(error.errors)) from None
        finally:
            for bar in bars.values():
                bar.close()
        elapsed = time.perf_counter() - started
        if result.total_created or result.total_renamed:
            audit_log(
                action=PlacesAudit.DIVISIONS_IMPORTED,
                details={"created": result.created, "renamed": result.renamed, "directory": str(directory)},
            )
        self.stdout.write(
            f"created {result.total_created}, renamed {result.total_renamed}, unchanged {result.unchanged}"
            f" in {elapsed:.1f} s"
        )
        for kind, count in result.created.items():
            if count or result.renamed.get(kind):
                self.stdout.write(f"  {kind}: created {count}, renamed {result.renamed.get(kind, 0)}")
