import csv

import pytest
from django.core.management import CommandError, call_command

from tongzhou.people.models import Person
from tongzhou.people.tests.factories import csv_bytes, row, xlsx


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(xlsx([row(0, 姓名="命令甲"), row(1, 姓名="命令乙", 手机号="123")]))
    return path


def test_dry_run_writes_nothing_and_lists_errors(demo, bad_file, capsys):
    before = Person.objects.count()
    call_command("import_residents", str(bad_file), "--place", "520102029004", "--dry-run")
    out = capsys.readouterr().out
    assert "2 rows: 1 good, 1 bad" in out and "dry run" in out
    assert Person.objects.count() == before
    with open(f"{bad_file}.errors.csv", encoding="utf-8-sig") as errors:
        rows = list(csv.reader(errors))
    assert rows[1][:2] == ["3", "手机号"]


def test_all_or_nothing_refuses_and_good_rows_import(demo, bad_file, capsys):
    before = Person.objects.count()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_residents", str(bad_file), "--place", "520102029004", "--all-or-nothing")
    assert Person.objects.count() == before
    call_command("import_residents", str(bad_file), "--place", "520102029004")
    assert "imported 1 residents" in capsys.readouterr().out
    assert Person.objects.filter(name="命令甲").exists() and not Person.objects.filter(name="命令乙").exists()


def test_csv_and_a_bad_file(demo, tmp_path):
    good = tmp_path / "r.csv"
    good.write_bytes(csv_bytes([row(0, 姓名="逗号")]))
    call_command("import_residents", str(good), "--place", "520102029004")
    assert Person.objects.filter(name="逗号").exists()
    bad = tmp_path / "r.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match=r"r.xlsx: The file is not a spreadsheet"):
        call_command("import_residents", str(bad), "--place", "520102029004")


def test_unknown_place(demo, bad_file):
    with pytest.raises(CommandError, match="No place with code 999"):
        call_command("import_residents", str(bad_file), "--place", "999")
