"""The enrollment certificate (the plan, the member, the benefits) and a member unit's invoice:
PDFs with a QR code that checks them online (core.pdf's font and QR drawing)."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.welfare.models import Enrollment, Invoice


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


def invoice(bill: Invoice, url: str) -> bytes:
    """A member unit's invoice: the plan, the unit, members × contribution = total, the period, the
    status; a QR code that checks it online."""
    plan = bill.plan
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    width, height = A5
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(_("Invoice %(number)s") % {"number": bill.number})
        pdf.setFont(FONT, 18)
        pdf.drawCentredString(width / 2, height - 22 * mm, _("Invoice %(number)s") % {"number": bill.number})
        pdf.setFont(FONT, 11)
        lines = [
            _("Member unit: %(unit)s") % {"unit": bill.organisation.name},
            _("Plan: %(plan)s (sponsor: %(sponsor)s)") % {"plan": plan.name, "sponsor": plan.sponsor.name},
            _("Period: %(start)s to %(end)s") % {"start": bill.period_start, "end": bill.period_end},
            _("%(members)d members × %(contribution)s yuan = %(total)s yuan")
            % {"members": bill.members, "contribution": bill.contribution, "total": bill.total},
            _("Issued on %(date)s") % {"date": timezone.localdate(bill.created_at)},
            _("Status: %(status)s") % {"status": bill.get_status_display()}
            + (f" {timezone.localdate(bill.paid_at)}" if bill.paid_at else ""),
        ]
        y = height - 36 * mm
        for line in lines:
            pdf.drawString(15 * mm, y, line)
            y -= 7 * mm
        draw_qr(pdf, url, (width - 40 * mm) / 2, y - 45 * mm, 40 * mm)
        pdf.setFont(FONT, 9)
        pdf.drawCentredString(width / 2, y - 51 * mm, _("Scan to check this invoice online."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
