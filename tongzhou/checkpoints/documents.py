"""Pass cards for printing: eight to an A4 page, each with the household's address, the holder's
masked name and the QR code of the signed token; cut along the lines and hand out door to door."""

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.checkpoints.models import Pass
from tongzhou.checkpoints.tokens import make_token
from tongzhou.core.pdf import FONT, draw_qr

COLUMNS, ROWS = 2, 4


def pass_cards(passes: Sequence[Pass], compound: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Passes"))
    width, height = A4
    card_w, card_h = width / COLUMNS, height / ROWS
    with translation.override(settings.LANGUAGE_CODE):
        for index, pass_ in enumerate(passes):
            slot = index % (COLUMNS * ROWS)
            if index and slot == 0:
                pdf.showPage()
            x = (slot % COLUMNS) * card_w
            y = height - (slot // COLUMNS + 1) * card_h
            pdf.setDash(3, 3)
            pdf.rect(x + 3 * mm, y + 3 * mm, card_w - 6 * mm, card_h - 6 * mm)
            pdf.setDash()
            pdf.setFont(FONT, 13)
            pdf.drawString(x + 8 * mm, y + card_h - 14 * mm, _("Pass") + " · " + compound)
            pdf.setFont(FONT, 11)
            address, _sep, holder = pass_.label.partition(" · ")
            pdf.drawString(x + 8 * mm, y + card_h - 21 * mm, address)
            if holder:
                pdf.drawString(x + 8 * mm, y + card_h - 27 * mm, holder)
            draw_qr(pdf, make_token(pass_.nonce), x + 8 * mm, y + 8 * mm, 38 * mm)
            pdf.setFont(FONT, 8)
            until = (
                timezone.localtime(pass_.valid_until).strftime("%Y-%m-%d %H:%M")
                if pass_.valid_until
                else _("until revoked")
            )
            pdf.drawString(x + 50 * mm, y + 30 * mm, _("No. %(n)d") % {"n": pass_.pk})
            pdf.drawString(x + 50 * mm, y + 25 * mm, _("Valid: %(until)s") % {"until": until})
            pdf.drawString(x + 50 * mm, y + 20 * mm, _("Show at the gate."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
