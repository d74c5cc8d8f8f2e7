"""The enrollment certificate: a PDF with the plan, the member, the benefits and a QR code that
checks it online (core.pdf's font and QR drawing)."""

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.welfare.models import Enrollment


def certificate(enrollment: Enrollment, url: str) -> bytes:
    plan = enrollment.plan
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    width, height = A5
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(_("Certificate of protection"))
        pdf.setFont(FONT, 20)
        pdf.drawCentredString(width / 2, height - 25 * mm, _("Certificate of protection"))
        pdf.setFont(FONT, 12)
        lines = [
            plan.name,
            _("Sponsor: %(sponsor)s") % {"sponsor": plan.sponsor.name},
            _("Member: %(name)s") % {"name": enrollment.name},
            _("Covered from %(start)s to %(end)s") % {"start": enrollment.covered_from, "end": plan.ends_on},
            *[f"{b.get_coverage_display()}: {b.amount} 元" for b in plan.benefits.all()],
        ]
        y = height - 40 * mm
        for line in lines:
            pdf.drawCentredString(width / 2, y, line)
            y -= 8 * mm
        draw_qr(pdf, url, (width - 40 * mm) / 2, y - 45 * mm, 40 * mm)
        pdf.setFont(FONT, 9)
        pdf.drawCentredString(width / 2, y - 51 * mm, _("Scan to check this certificate online."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
