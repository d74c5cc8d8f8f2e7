import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tongzhou.core.imports.base import check, write
from tongzhou.core.imports.reading import ImportFileError
from tongzhou.core.imports.registry import get_importer, importer_names, place_by_code
from tongzhou.core.imports.responses import write_errors_csv


class Command(BaseCommand):
    help = "Import an .xlsx or .csv file (the importer's template columns) into the place with CODE."
    importer_name: str | None = None  # set by an alias command such as import_residents

    def add_arguments(self, parser: CommandParser) -> None:
        if self.importer_name is None:
            parser.add_argument("importer", help=f"one of: {', '.join(importer_names())}")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--place", required=True, help="official code of the place (community, street…) imported into"
        )
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
        name = self.importer_name or options["importer"]
        try:
            importer_class = get_importer(name)
        except KeyError:
            raise CommandError(f"No importer named {name}; there are: {', '.join(importer_names())}.") from None
        target = place_by_code(place)
        if target is None:
            raise CommandError(f"No place with code {place}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        importer = importer_class(place_path=target.path, actor=None)
        with tqdm(desc="checking", unit=" rows", file=sys.stderr) as bar:
            try:
                checked = check(importer, data, file.name, lambda done, total: bar.update(done - bar.n))
            except ImportFileError as error:
                raise CommandError(f"{file.name}: {error} Nothing was imported.") from None
        errors = errors or file.with_name(file.name + ".errors.csv")
        if checked.errors:
            with open(errors, "w", newline="", encoding="utf-8-sig") as out:
                write_errors_csv(out, [(e.row, e.column, e.message) for e in checked.errors])
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
            created = write(
                importer, checked, all_or_nothing=all_or_nothing, progress=lambda done, total: bar.update(done - bar.n)
            )
        self.stdout.write(f"imported {created} {importer.command_noun} into {target.name}")
