"""Door notices: one A4 page per building, the notice's text, who issued it and when, and the QR
code of the building's signed link (the online version, where a household acknowledges it)."""

import io
import textwrap
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.notices.links import notice_url
from tongzhou.notices.models import Notice
from tongzhou.places.models import Place

LINE_CHARS = 34  # Chinese characters per line at 13 pt on A4 with margins


def door_notices(notice: Notice, buildings: Sequence[Place], site_url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(notice.title)
    width, height = A4
    attachments = list(notice.attachments.all())
    with translation.override(settings.LANGUAGE_CODE):
        for building in buildings:
            pdf.setFont(FONT, 20)
            pdf.drawCentredString(width / 2, height - 30 * mm, notice.title)
            pdf.setFont(FONT, 11)
            pdf.drawCentredString(width / 2, height - 38 * mm, building.name)
            y = height - 52 * mm
            pdf.setFont(FONT, 13)
            for paragraph in notice.body.splitlines() or [""]:
                for line in textwrap.wrap(paragraph, LINE_CHARS) or [""]:
                    if y < 92 * mm:
                        break
                    pdf.drawString(20 * mm, y, line)
                    y -= 7 * mm
            pdf.setFont(FONT, 10)
            names = [a.name for a in attachments]
            if names:
                files = _("Attached (in the online version): %(names)s") % {"names": "、".join(names)}
                for i, line in enumerate(textwrap.wrap(files, LINE_CHARS + 10)[:2]):
                    pdf.drawString(20 * mm, (80 - 5 * i) * mm, line)
            sent = timezone.localtime(notice.sent_at).strftime("%Y-%m-%d %H:%M") if notice.sent_at else ""
            pdf.drawString(20 * mm, 70 * mm, _("Issued by: %(issuer)s") % {"issuer": notice.issuer_name})
            pdf.drawString(20 * mm, 64 * mm, _("Issued on: %(date)s") % {"date": sent})
            valid = notice.valid_from.isoformat() + (" – " + notice.valid_to.isoformat() if notice.valid_to else "")
            pdf.drawString(20 * mm, 58 * mm, _("Valid: %(dates)s") % {"dates": valid})
            pdf.drawString(20 * mm, 46 * mm, _("Scan the code to check this notice is genuine and current,"))
            pdf.drawString(20 * mm, 40 * mm, _("and to tell us your household has read it."))
            draw_qr(pdf, notice_url(notice, site_url, building.pk), width - 70 * mm, 25 * mm, 50 * mm)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()
