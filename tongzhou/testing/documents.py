"""A round's notice for a building's door or lift: one A4 page with the round, the building, its
site and time slots, what to bring, and the QR code of the building's signed page.

The paper serves the whole building, so its code cannot open anyone's own page: it opens the
building's page (the slots again, and "text me my link" for a resident who lost the message,
sent only to a phone registered in the building). The resident's own page stays behind their own
text link."""

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.places.models import Place
from tongzhou.testing.links import building_url
from tongzhou.testing.models import Round, Slot


def bring_list() -> list[str]:
    return [
        _("Your ID card or your pass (its QR code), or your household register for children."),
        _("A mask, worn all the way; keep one metre from the next person."),
        _("Do not eat, drink or smoke for 30 minutes before the swab."),
        _("Come at your building's time; the housebound stay home and call the community."),
    ]


def building_notice(
    round_: Round, building: Place, address: str, slots: Sequence[Slot], site_url: str, phone: str = ""
) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(f"{round_.name} · {address}")
        pdf.setFont(FONT, 22)
        pdf.drawCentredString(width / 2, height - 28 * mm, round_.name)
        pdf.setFont(FONT, 14)
        pdf.drawCentredString(width / 2, height - 38 * mm, address)
        y = height - 56 * mm
        pdf.setFont(FONT, 15)
        pdf.drawString(20 * mm, y, _("When and where"))
        y -= 9 * mm
        pdf.setFont(FONT, 17)
        for slot in slots[:8]:
            pdf.drawString(
                25 * mm,
                y,
                f"{slot.day:%m-%d}  {slot.starts:%H:%M}–{slot.ends:%H:%M}  {slot.site.name}",
            )
            y -= 9 * mm
        if not slots:
            pdf.drawString(25 * mm, y, _("The time is not planned yet: the community will tell you."))
            y -= 7 * mm
        y -= 5 * mm
        pdf.setFont(FONT, 15)
        pdf.drawString(20 * mm, y, _("Please bring"))
        y -= 9 * mm
        pdf.setFont(FONT, 12)
        for line in bring_list():
            pdf.drawString(25 * mm, y, "· " + line)
            y -= 7 * mm
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, 66 * mm, _("Scan the code: the times of this building, always current."))
        pdf.drawString(20 * mm, 60 * mm, _("Your own page (sampled? result?) is the link in your text message;"))
        pdf.drawString(20 * mm, 54 * mm, _("lost it? the building's page texts it again to your phone."))
        if phone:
            pdf.drawString(20 * mm, 42 * mm, _("Questions: %(phone)s") % {"phone": phone})
        draw_qr(pdf, building_url(round_, building, site_url), width - 72 * mm, 22 * mm, 52 * mm)
        pdf.setFont(FONT, 9)
        pdf.drawString(20 * mm, 20 * mm, round_.place.name)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
