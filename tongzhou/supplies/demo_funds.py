"""The demo's fund (called by `tongzhou.demo`): the street's epidemic fund with the anonymous
¥2,000 given to 泰安巷, the trade union's grant from the workers' insurance association (¥50,000
asked, ¥30,000 approved), and one purchase of protective suits and gloves received into the
street's warehouse, with a drawn invoice photo. Once."""

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

FUND_NAME = "二戈街道疫情防控专项资金"


def _invoice_image(number: str, amount: str) -> SimpleUploadedFile:
    """A plain drawn invoice (no real one is needed for the demo)."""
    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 630, 390), outline=(180, 40, 40), width=4)
    draw.ellipse((500, 30, 610, 140), outline=(200, 30, 30), width=3)
    for n, text in enumerate((f"INVOICE No. {number}", "Guizhou Kangda Medical Supplies Co.", f"TOTAL CNY {amount}")):
        draw.text((40, 60 + 60 * n), text, fill=(40, 40, 40))
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("invoice.jpg", out.getvalue(), content_type="image/jpeg")


def demo_funds(*, users: dict[str, Any], supplies: dict[str, Any], log: Callable[[str], None]) -> None:
    from tongzhou.places.models import Place
    from tongzhou.supplies.fund_services import (
        BoughtLine,
        donation_to_fund,
        fund_create,
        grant_answer,
        grant_apply,
        purchase_record,
    )
    from tongzhou.supplies.models import Donation, DonationKind, Fund

    warehouse = supplies["store_warehouse"]
    street = Place.objects.get(pk=warehouse.place_id)
    if Fund.objects.filter(place=street, name=FUND_NAME).exists():
        return
    admin = users["street_admin"]
    today = timezone.localdate()
    fund = fund_create(actor=admin, place=street, name=FUND_NAME, purpose="一线防护物资和卡点保障")
    for gift in Donation.objects.filter(kind=DonationKind.MONEY, place_path__startswith=street.path, fund__isnull=True):
        donation_to_fund(actor=admin, fund=fund, donation=gift)
    grant = grant_apply(
        actor=admin,
        fund=fund,
        applicant="二戈街道总工会",
        funder="贵阳市职工保险互助会",
        amount="50000",
        applied_on=today - timedelta(days=12),
        purpose="一线职工防护用品",
    )
    grant_answer(
        actor=admin, grant=grant, approve=True, amount="30000", answered_on=today - timedelta(days=5), note="首批拨付"
    )
    items = {key.removeprefix("item_"): value for key, value in supplies.items() if key.startswith("item_")}
    year = timedelta(days=365)
    purchase_record(
        actor=admin,
        fund=fund,
        store=warehouse,
        supplier="贵州康达医疗器械有限公司",
        amount="4600.00",
        bought_on=today - timedelta(days=3),
        lines=[
            BoughtLine(items["suit"].pk, 40, "KD-FH0203", today + year),
            BoughtLine(items["gloves"].pk, 1000, "KD-ST02"),
        ],
        invoice=_invoice_image("52000123", "4600.00"),
        note="发票号 52000123",
    )
    # Over the second-approval line (¥5,000): it waits in street_deputy's approvals.
    purchase_record(
        actor=admin,
        fund=fund,
        store=warehouse,
        supplier="贵阳黔康消毒用品有限公司",
        amount="6800.00",
        bought_on=today - timedelta(days=1),
        lines=[
            BoughtLine(items["disinfectant"].pk, 400, "QK-84-11", today + year),
            BoughtLine(items["sanitizer"].pk, 200, "QK-XS-11", today + year),
        ],
        invoice=_invoice_image("52000187", "6800.00"),
        note="发票号 52000187",
    )
    log(
        f"supplies: {fund.name} with a donation, a grant (¥30,000 of ¥50,000), a purchase of ¥4,600 "
        "and one of ¥6,800 waiting for street_deputy's second approval"
    )
