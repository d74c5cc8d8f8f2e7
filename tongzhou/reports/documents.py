"""The daily report out of the site: .xlsx in the familiar layout (a row per community, the
totals, the narrative sheet), PDF, and the JSON the API serves. All from `daily_report`."""

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.pdf import FONT
from tongzhou.reports.selectors import DailyView


def _cell(value: Any) -> Any:
    return "" if value is None else value


def report_xlsx(view: DailyView) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")
    lines = view.lines
    sheet.append(spreadsheet_row([f"{view.place.name} {view.day.isoformat()}"]))
    sheet.append(spreadsheet_row([_("Place"), *[str(line.label) for line in lines]]))
    rows = view.children or []
    for child, roll, _report in rows:
        values = roll.totals.values
        sheet.append(spreadsheet_row([child.name, *[_child_value(line, values) for line in lines]]))
    sheet.append(spreadsheet_row([_("Total"), *[_cell(line.value) for line in lines]]))
    if any(line.adjustments or line.from_children for line in lines):
        sheet.append(spreadsheet_row([_("Adjusted"), *[_cell(line.adjusted) for line in lines]]))
    words = book.create_sheet(_("Narrative"))
    words.append(
        spreadsheet_row(
            [
                _("Place"),
                _("version"),
                _("key work"),
                _("difficulties"),
                _("requests to the street"),
                _("signed by"),
                _("signed at"),
            ]
        )
    )
    own = [(view.place, view.current)] + [(c, r) for c, _roll, r in rows]
    for place, report in own:
        if report is None:
            continue
        words.append(
            spreadsheet_row(
                [
                    place.name,
                    report.version,
                    report.key_work,
                    report.difficulties,
                    report.requests,
                    report.signed_by.get_username() if report.signed_by else "",
                    report.signed_at.replace(tzinfo=None) if report.signed_at else "",
                ]
            )
        )
    adjustments = book.create_sheet(_("Adjustments"))
    adjustments.append(spreadsheet_row([_("figure"), _("change"), _("reason")]))
    adjustments.cell(row=1, column=4, value=_("Place"))
    for line in lines:
        for a in line.adjustments:
            adjustments.append(spreadsheet_row([str(line.label), float(a.delta), a.reason, view.place.name]))
        for child, a in line.from_children:
            adjustments.append(spreadsheet_row([str(line.label), float(a.delta), a.reason, child.name]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _child_value(line: Any, values: dict[str, Any]) -> Any:
    if line.is_ratio:
        from tongzhou.core.figures import ratios

        ratio = next(r for r in ratios() if r.key == line.key)
        return _cell(ratio.of(values))
    return _cell(values.get(line.key, 0))


def report_pdf(view: DailyView) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    y = height - 50
    pdf.setFont(FONT, 16)
    pdf.drawString(40, y, f"{view.place.name} {_('Daily report')} {view.day.isoformat()}")
    y -= 18
    pdf.setFont(FONT, 9)
    if view.rollup.taken_at:
        pdf.drawString(40, y, _("as of %(time)s") % {"time": view.rollup.taken_at.strftime("%Y-%m-%d %H:%M")})
    y -= 20
    pdf.setFont(FONT, 11)
    for line in view.lines:
        if y < 60:
            pdf.showPage()
            pdf.setFont(FONT, 11)
            y = height - 50
        value = "—" if line.value is None else (f"{line.value}{line.suffix}" if line.is_ratio else str(line.value))
        pdf.drawString(40, y, str(line.label))
        pdf.drawRightString(width - 40, y, value)
        y -= 16
        for a in line.adjustments:
            pdf.setFont(FONT, 9)
            pdf.drawString(60, y, f"{_('adjustment')} {a.delta:+} · {a.reason}"[:90])
            pdf.drawRightString(width - 40, y, str(line.adjusted))
            pdf.setFont(FONT, 11)
            y -= 14
    report = view.current
    if report is not None:
        for title, text in (
            (_("key work"), report.key_work),
            (_("difficulties"), report.difficulties),
            (_("requests to the street"), report.requests),
        ):
            if not text:
                continue
            y -= 8
            pdf.drawString(40, y, str(title))
            y -= 14
            for chunk in [text[i : i + 40] for i in range(0, len(text), 40)]:
                if y < 60:
                    pdf.showPage()
                    pdf.setFont(FONT, 11)
                    y = height - 50
                pdf.drawString(50, y, chunk)
                y -= 14
        if report.signed_at:
            pdf.drawString(
                40,
                max(y - 10, 40),
                _("signed by %(who)s at %(time)s")
                % {"who": report.signed_by, "time": report.signed_at.strftime("%Y-%m-%d %H:%M")},
            )
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def report_json(view: DailyView) -> dict[str, Any]:
    report = view.current
    return {
        "place": {"code": view.place.code, "name": view.place.name, "kind": view.place.kind},
        "day": view.day.isoformat(),
        "as_of": view.rollup.taken_at.isoformat() if view.rollup.taken_at else None,
        "communities": view.rollup.communities,
        "figures": {line.key: line.value for line in view.lines},
        "adjusted": {line.key: line.adjusted for line in view.lines if line.adjustments or line.from_children},
        "not_reproducible": view.rollup.totals.missing,
        "flags": {line.key: line.change for line in view.lines if line.change},
        "children": [
            {
                "code": child.code,
                "name": child.name,
                "figures": roll.totals.values,
                "signed": bool(r and r.is_signed),
            }
            for child, roll, r in view.children
        ],
        "version": report.version if report else None,
        "signed_at": report.signed_at.isoformat() if report and report.signed_at else None,
    }
