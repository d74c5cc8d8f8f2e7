"""Printed things: the sign with a post's check-in QR code, and a volunteer's certificate of
service with a QR code that verifies it online. reportlab draws both, QR codes included."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.volunteers.models import Post, Volunteer


def post_sign(post: Post, url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setFont(FONT, 28)
        pdf.drawCentredString(width / 2, height - 40 * mm, post.name)
        pdf.setFont(FONT, 14)
        pdf.drawCentredString(width / 2, height - 52 * mm, post.get_duty_display())
        draw_qr(pdf, url, (width - 120 * mm) / 2, height - 185 * mm, 120 * mm)
        pdf.setFont(FONT, 14)
        pdf.drawCentredString(width / 2, height - 200 * mm, _("Volunteers: scan to check in, and again to check out."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate(volunteer: Volunteer, hours: object, url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(_("Certificate of volunteer service"))
        pdf.setFont(FONT, 26)
        pdf.drawCentredString(width / 2, height - 45 * mm, _("Certificate of volunteer service"))
        pdf.setFont(FONT, 15)
        lines = [
            _("%(name)s served as a volunteer of %(community)s")
            % {
                "name": volunteer.name,
                "community": volunteer.community.name,
            },
            _("for %(hours)s hours in all, as recorded up to %(date)s.")
            % {
                "hours": hours,
                "date": timezone.localdate().isoformat(),
            },
            _("Thank you for standing with your neighbours."),
        ]
        y = height - 75 * mm
        for line in lines:
            pdf.drawCentredString(width / 2, y, line)
            y -= 11 * mm
        draw_qr(pdf, url, (width - 45 * mm) / 2, y - 55 * mm, 45 * mm)
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(width / 2, y - 62 * mm, _("Scan to check this certificate online."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
