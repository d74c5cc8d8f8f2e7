"""A building's packing list as a printable PDF: the households by room with the number of people
and what to pack for each, and the totals to take out of the store. No names."""

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT
from tongzhou.supplies.distribution_selectors import PackingList


def _parcel(parcel: list[tuple[Any, Decimal]]) -> str:
    from tongzhou.supplies.services.quantities import plain_quantity

    return "、".join(f"{item.name} {plain_quantity(q)}{item.unit}" for item, q in parcel)


def packing_pdf(packing: PackingList) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _width, height = A4
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Packing list")
        pdf.setTitle(f"{title} · {packing.distribution.name} · {packing.building.name}")

        def header() -> float:
            pdf.setFont(FONT, 16)
            pdf.drawString(20 * mm, height - 20 * mm, f"{title} · {packing.distribution.name}")
            pdf.setFont(FONT, 11)
            pdf.drawString(
                20 * mm,
                height - 28 * mm,
                f"{packing.distribution.place.name} · {packing.building.name} · {packing.distribution.store.name}",
            )
            return height - 40 * mm

        y = header()
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, y, _("To take out of the store:") + " " + _parcel(packing.totals))
        y -= 10 * mm
        pdf.setFont(FONT, 10)
        pdf.drawString(20 * mm, y, _("Room"))
        pdf.drawString(55 * mm, y, _("People"))
        pdf.drawString(75 * mm, y, _("To pack"))
        pdf.drawString(175 * mm, y, _("Packed"))
        y -= 7 * mm
        for row, parcel in packing.rows:
            if y < 20 * mm:
                pdf.showPage()
                y = header()
                pdf.setFont(FONT, 10)
            pdf.drawString(20 * mm, y, row.room)
            pdf.drawString(55 * mm, y, str(row.people))
            pdf.drawString(75 * mm, y, _parcel(parcel)[:60])
            pdf.rect(177 * mm, y - 1 * mm, 4 * mm, 4 * mm)
            y -= 7 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
