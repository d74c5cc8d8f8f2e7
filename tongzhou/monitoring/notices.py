"""The printable notice of an isolation order (PDF), for the door and for the resident. The
resident is named by a pseudonym on the door copy: neighbours read it."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongzhou.core.pdf import FONT
from tongzhou.core.pii import mask_name
from tongzhou.monitoring.models import IsolationOrder
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import street_addresses


def _committee(path: str) -> Place | None:
    """The neighborhood committee (community) whose subtree holds `path`."""
    segments = path.strip("/").split("/")
    prefixes = ["/" + "/".join(segments[:n]) + "/" for n in range(1, len(segments) + 1)]
    return Place.objects.filter(path__in=prefixes, kind=PlaceKind.COMMUNITY).first()


def issuer_lines(order: IsolationOrder) -> list[str]:
    """The foot of the notice: the issuing committee, its duty phone (when set) and the date."""
    committee = _committee(order.place_path)
    issued = [(_("Issued by"), committee.name if committee else "—")]
    if committee and committee.phone:
        issued.append((_("Contact phone"), committee.phone))
    issued.append((_("Date"), f"{timezone.localdate():%Y-%m-%d}"))
    return [f"{label}：{value}" for label, value in issued]


def _page(pdf: canvas.Canvas, order: IsolationOrder, *, door: bool) -> None:
    width, height = A4
    person = order.key_person.person
    address = street_addresses([order.place_path])[order.place_path] + " " + person.household.room
    y = height - 35 * mm
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, y, order.get_kind_display())
    y -= 12 * mm
    pdf.setFont(FONT, 12)
    pdf.drawCentredString(width / 2, y, _("Notice for the door") if door else _("Notice for the resident"))
    y -= 20 * mm
    lines = [
        (_("Address"), address),
        (_("Resident"), mask_name(person.name) if door else person.name),
        (_("From"), f"{order.starts_on:%Y-%m-%d}"),
        (_("Planned end"), f"{order.planned_end_on:%Y-%m-%d}"),
        (_("Daily checks at"), pgettext("list separator", ", ").join(order.check_times)),
    ]
    if order.facility:
        lines.append((_("Facility"), order.facility))
    pdf.setFont(FONT, 14)
    for label, value in lines:
        pdf.drawString(25 * mm, y, f"{label}：{value}")
        y -= 10 * mm
    y -= 6 * mm
    pdf.setFont(FONT, 11)
    for text in (
        _("Please stay at home until the order is released by the health officer."),
        _("The neighborhood committee brings groceries and medicine and runs errands for you."),
        _("Report fever (37.3 °C or more) or any symptom at once."),
    ):
        pdf.drawString(25 * mm, y, text)
        y -= 8 * mm
    y -= 10 * mm
    pdf.setFont(FONT, 12)
    for line in issuer_lines(order):
        pdf.drawRightString(width - 25 * mm, y, line)
        y -= 8 * mm
    pdf.showPage()


def order_notice(order: IsolationOrder) -> bytes:
    """Two pages: the door copy (pseudonymized) and the resident's copy, in the site's language."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{order.get_kind_display()} #{order.pk}")
    with translation.override(settings.LANGUAGE_CODE):
        _page(pdf, order, door=True)
        _page(pdf, order, door=False)
    pdf.save()
    return buffer.getvalue()
