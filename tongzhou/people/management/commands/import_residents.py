import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tongzhou.core.exports import spreadsheet_row
from tongzhou.people.importers import ImportFileError, check_rows, write_rows
from tongzhou.places.models import Place


class Command(BaseCommand):
    help = "Import residents from an .xlsx or .csv file (the template's columns) into the place with CODE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--place", required=True, help="official code of the community (or street) imported into")
        parser.add_argument("--all-or-nothing", action="store_true", help="import nothing unless every row is good")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--errors", type=Path, help="where to write the bad rows (default FILE.errors.csv)")

    def handle(
        self,
        *args: Any,
        file: Path,
        place: str,
        all_or_nothing: bool,
        dry_run: bool,
        errors: Path | None,
        **options: Any,
    ) -> None:
        target = Place.objects.filter(code=place).first()
        if target is None:
            raise CommandError(f"No place with code {place}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        with tqdm(desc="checking", unit=" rows", file=sys.stderr) as bar:
            try:
                checked = check_rows(data, file.name, target, lambda done, total: bar.update(done - bar.n))
            except ImportFileError as error:
                raise CommandError(f"{file.name}: {error} Nothing was imported.") from None
        errors = errors or file.with_name(file.name + ".errors.csv")
        if checked.errors:
            with open(errors, "w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow(["行 row", "列 column", "原因 reason"])
                writer.writerows(spreadsheet_row((e.row, e.column, e.message)) for e in checked.errors)
        self.stdout.write(
            f"{checked.total} rows: {len(checked.good)} good, {len(checked.bad_rows)} bad"
            + (f" (details in {errors})" if checked.errors else "")
        )
        if dry_run:
            self.stdout.write("dry run: nothing written")
            return
        if all_or_nothing and checked.errors:
            raise CommandError("Some rows are bad and --all-or-nothing was given: nothing was imported.")
        with tqdm(desc="writing", total=len(checked.good), unit=" rows", file=sys.stderr) as bar:
            created = write_rows(
                actor=None,
                place=target,
                checked=checked,
                all_or_nothing=all_or_nothing,
                progress=lambda done, total: bar.update(done - bar.n),
            )
        self.stdout.write(f"imported {created} residents into {target.name}")
