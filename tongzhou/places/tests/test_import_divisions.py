import gzip
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongzhou.places.importers import DivisionImportError, import_divisions
from tongzhou.places.models import Place, PlaceKind

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_divisions"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name in ("provinces", "cities", "areas", "streets", "villages"):
        shutil.copy(DEMO / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def snapshot():
    return sorted(Place.objects.values_list("code", "name", "path", "parent_id", "updated_at"))


def test_it_builds_the_tree_with_paths(db, files):
    result = import_divisions(files)
    assert result.total_created == 23
    taian = Place.objects.get(code="520102029004")
    assert taian.kind == PlaceKind.COMMUNITY
    assert taian.path == "/52/5201/520102/520102029/520102029004/"
    assert taian.parent.code == "520102029"
    assert taian.depth == 4


def test_rerun_changes_nothing(db, files):
    import_divisions(files)
    before = snapshot()
    result = import_divisions(files)
    assert (result.total_created, result.total_renamed, result.unchanged) == (0, 0, 23)
    assert snapshot() == before


def test_renamed_place_is_updated(db, files):
    import_divisions(files)
    text = (files / "villages.csv").read_text(encoding="utf-8").replace("泰安巷社区居民委员会", "泰安巷社区")
    (files / "villages.csv").write_text(text, encoding="utf-8")
    result = import_divisions(files)
    assert result.renamed[PlaceKind.COMMUNITY] == 1
    assert Place.objects.get(code="520102029004").name == "泰安巷社区"
    assert Place.objects.filter(code="520102029004").count() == 1


def test_gzip_files_are_read(db, files):
    for csv_file in files.glob("*.csv"):
        with open(csv_file, "rb") as source, gzip.open(f"{csv_file}.gz", "wb") as target:
            target.write(source.read())
        csv_file.unlink()
    assert import_divisions(files).total_created == 23


def _break(files: Path, name: str, old: str, new: str) -> None:
    path = files / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("streets.csv", "code,name,areaCode", "code,title,areaCode", "streets.csv: line 1: missing column(s) name"),
        (
            "villages.csv",
            "520102029004,",
            "52010202904,",
            "villages.csv: line 11: code '52010202904' should be 12 digits",
        ),
        (
            "villages.csv",
            '520102029006,"松花巷社区居民委员会",520102029',
            '520102099006,"松花巷社区居民委员会",520102099',
            "villages.csv: line 13: code 520102099006 has no parent streetCode='520102099' (orphan)",
        ),
        ("areas.csv", '520102,"南明区",5201', '520102,"",5201', "areas.csv: line 3: name must be 1 to 100 characters"),
    ],
)
def test_malformed_file_stops_with_file_and_line_and_writes_nothing(db, files, name, old, new, message):
    _break(files, name, old, new)
    with pytest.raises(DivisionImportError) as error:
        import_divisions(files)
    assert message in error.value.errors
    assert Place.objects.count() == 0


def test_malformed_file_on_rerun_leaves_existing_tree_alone(db, files):
    import_divisions(files)
    before = snapshot()
    _break(files, "villages.csv", "泰安巷社区居民委员会", "泰安巷社区")  # a rename that must not land
    _break(files, "villages.csv", "520102029009,", "5201020290X9,")
    with pytest.raises(DivisionImportError):
        import_divisions(files)
    assert snapshot() == before


def test_command_reports_errors(db, files, capsys):
    _break(files, "villages.csv", "520102029004,", "520102029004X,")
    with pytest.raises(CommandError, match="villages.csv: line 11"):
        call_command("import_divisions", str(files), "--no-progress")
    assert Place.objects.count() == 0


def test_command_prints_summary(db, files, capsys):
    call_command("import_divisions", str(files), "--no-progress")
    assert "created 23, renamed 0, unchanged 0" in capsys.readouterr().out
    call_command("import_divisions", str(files), "--no-progress")
    assert "created 0, renamed 0, unchanged 23" in capsys.readouterr().out


def test_missing_file_is_named(db, files):
    (files / "areas.csv").unlink()
    with pytest.raises(DivisionImportError, match="areas.csv: file not found"):
        import_divisions(files)
    assert Place.objects.count() == 0
