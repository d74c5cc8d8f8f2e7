"""The thank-you letter and receipt of a donation, as a PDF with a QR code that verifies it online."""

import io

from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT, draw_qr
from tongzhou.supplies.models import Donation, DonationKind

RECEIPT_SALT = "tongzhou.supplies.receipt"


def receipt_token(donation: Donation) -> str:
    return signing.dumps({"d": donation.pk}, salt=RECEIPT_SALT)


def receipt_donation_id(token: str) -> int | None:
    """The donation a receipt's QR names, or None for a forged or damaged token."""
    try:
        data = signing.loads(token, salt=RECEIPT_SALT)
        return int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def what_was_given(donation: Donation) -> list[str]:
    from tongzhou.supplies.services.quantities import plain_quantity

    if donation.kind == DonationKind.MONEY:
        return [_("%(amount)s yuan for %(purpose)s") % {"amount": donation.amount, "purpose": donation.purpose}]
    if donation.kind == DonationKind.SERVICE:
        return [donation.description]
    return [f"{line.item.name} {plain_quantity(line.quantity)} {line.item.unit}" for line in donation.lines.all()]


def thank_you(donation: Donation, url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(_("Thank-you letter and receipt"))
        pdf.setFont(FONT, 24)
        pdf.drawCentredString(width / 2, height - 40 * mm, _("Thank-you letter and receipt"))
        pdf.setFont(FONT, 14)
        y = height - 62 * mm
        pdf.drawString(25 * mm, y, _("To %(donor)s:") % {"donor": donation.donor.name})
        y -= 10 * mm
        pdf.drawString(
            25 * mm,
            y,
            _("On %(date)s %(place)s received from you:")
            % {"date": donation.received_on, "place": donation.place.name},
        )
        for line in what_was_given(donation):
            y -= 8 * mm
            pdf.drawString(35 * mm, y, line)
        y -= 12 * mm
        pdf.drawString(25 * mm, y, _("Every item is published, with where it went, in the public supplies ledger."))
        y -= 8 * mm
        pdf.drawString(25 * mm, y, _("Thank you for standing with us."))
        pdf.setFont(FONT, 10)
        pdf.drawString(25 * mm, y - 10 * mm, _("Receipt no. %(n)s") % {"n": donation.pk})
        draw_qr(pdf, url, (width - 45 * mm) / 2, y - 70 * mm, 45 * mm)
        pdf.drawCentredString(width / 2, y - 77 * mm, _("Scan to check this receipt online."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
