"""A lab's result file on the import framework (tongzhou.core.imports): one row per tube (barcode,
result, optional Ct value and result time). Unknown barcodes, tubes of other areas, result words
not in the list and a tube twice in the file are row errors; a tube that already has the same
result is accepted again (a lab sending its file twice changes nothing), a different one is an
error. The writer stores the results and recalls the members of positive or invalid pools."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.core.imports.base import Bad, Checked, Column, GoodRow, Importer, RowError
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import subtree_q
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place, PlaceKind
from tongzhou.testing.audit import TestingAudit
from tongzhou.testing.models import Result, Tube
from tongzhou.testing.services import TubeResult, results_record

BARCODE, RESULT, CT, RESULT_AT = "管码", "结果", "Ct值", "检测时间"
RESULT_WORDS = {
    "阴性": Result.NEGATIVE,
    "阳性": Result.POSITIVE,
    "无效": Result.INVALID,
    "negative": Result.NEGATIVE,
    "positive": Result.POSITIVE,
    "invalid": Result.INVALID,
}


class ResultImporter(Importer):
    name = "test_results"
    title = gettext_lazy("Import test results")
    help_text = gettext_lazy(
        "One row per tube: its barcode and its result (阴性, 阳性 or 无效); the Ct value and the result time "
        "are optional. A positive or invalid pooled tube recalls its members for a single-tube retest."
    )
    permission = Perm.TESTING_PLAN
    place_kinds = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
    columns = (
        Column(BARCODE, required=True, example="TZ0000000001", width=18, aliases=("条码", "管码号", "barcode")),
        Column(RESULT, required=True, example="阴性", width=10, aliases=("检测结果", "result")),
        Column(CT, example="", width=8, aliases=("CT值", "ct")),
        Column(RESULT_AT, example="2026-11-30 18:00", width=18, aliases=("报告时间",)),
    )
    sheet_title = "检测结果"
    template_filename = "tongzhou-test-results-template.xlsx"
    unique_column = BARCODE
    duplicate_message = gettext_lazy("The same tube as row %(row)d.")
    command_noun = "results"
    batch_size = 2000

    def prepare(self) -> None:
        self.tubes: dict[str, Tube] = {}

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        values: dict[str, Any] = {"barcode": text.get(BARCODE, "").upper()}
        result = RESULT_WORDS.get(text.get(RESULT, "").lower())
        if result is None and text.get(RESULT):
            bad(RESULT, _("Use 阴性, 阳性 or 无效."))
        values["result"] = result
        if text.get(CT):
            try:
                ct = Decimal(text[CT])
                if not ct.is_finite() or not 0 <= ct < 100:
                    raise InvalidOperation
                values["ct"] = ct.quantize(Decimal("0.01"))
            except InvalidOperation:
                bad(CT, _("A number from 0 to 99."))
        when = cells.get(RESULT_AT)
        if isinstance(when, str) and when.strip():
            try:
                when = datetime.fromisoformat(when.strip())
            except ValueError:
                bad(RESULT_AT, _("Use a date and time such as 2026-11-30 18:00."))
                when = None
        if isinstance(when, datetime):
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            if when > timezone.now():
                bad(RESULT_AT, _("The time is in the future."))
            values["result_at"] = when
        return values

    def unique_key(self, values: dict[str, Any]) -> Any:
        return values["barcode"]

    def check_file(self, checked: Checked) -> None:
        """Barcodes must be tubes sampled in the place imported into; a tube with another result
        already is an error, the same result again is skipped on writing."""
        barcodes = [g.values["barcode"] for g in checked.good]
        tubes: dict[str, Tube] = {}
        for start in range(0, len(barcodes), 5000):
            chunk = barcodes[start : start + 5000]
            tubes.update(
                (t.barcode, t) for t in Tube.objects.filter(subtree_q(self.place_path, "place_path"), barcode__in=chunk)
            )
        problems: dict[int, RowError] = {}
        for good in checked.good:
            tube = tubes.get(good.values["barcode"])
            if tube is None:
                problems[good.row] = RowError(good.row, BARCODE, _("No such tube sampled here."))
            elif tube.filled == 0:
                problems[good.row] = RowError(good.row, BARCODE, _("The tube has no sample in it."))
            elif tube.result not in (Result.PENDING, good.values["result"]):
                problems[good.row] = RowError(
                    good.row,
                    RESULT,
                    _("The tube already has the result %(result)s.") % {"result": tube.get_result_display()},
                )
        checked.reject(problems, self.columns)
        self.tubes = tubes

    def write_batch(self, rows: list[GoodRow]) -> int:
        results = []
        for good in rows:
            tube = self.tubes[good.values["barcode"]]
            if tube.result == good.values["result"]:
                continue  # sent again: nothing changes
            results.append(TubeResult(tube, good.values["result"], good.values.get("ct"), good.values.get("result_at")))
        counts = results_record(actor=self.actor, results=results)
        self.recalled = getattr(self, "recalled", 0) + counts["recalled"]
        return counts["results"]

    def write_done(self, checked: Checked, created: int) -> None:
        place = Place.objects.get(path=self.place_path)
        audit_log(
            action=TestingAudit.RESULTS_IMPORTED,
            actor=self.actor,
            obj=place,
            place_path=place.path,
            details={"results": created, "recalled": getattr(self, "recalled", 0), "bad_rows": len(checked.bad_rows)},
        )
