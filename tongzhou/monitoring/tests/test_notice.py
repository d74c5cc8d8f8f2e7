"""The printed notice: its font travels inside the PDF, and its foot says who issued it, how to
reach them and when."""

from django.urls import reverse
from django.utils import timezone, translation

from tongzhou.core.pdf import FONT_EMBEDDED
from tongzhou.core.tests.test_pdf_font import needs_the_font_file
from tongzhou.monitoring.notices import issuer_lines


def test_the_notice_embeds_its_font(demo, client_as, make_order):
    needs_the_font_file()
    assert FONT_EMBEDDED
    response = client_as("health_officer").get(reverse("monitoring:notice", args=[make_order().pk]))
    assert response.content.startswith(b"%PDF")
    assert b"/FontFile2" in response.content  # TrueType outlines inside the file
    assert b"STSong-Light" not in response.content


def test_the_notice_names_the_committee_its_phone_and_the_date(demo, make_order):
    order = make_order()
    with translation.override("zh-hans"):
        lines = issuer_lines(order)
    assert lines == [
        "发布单位：泰安巷社区居民委员会",
        "联系电话：0851-85800004",
        f"日期：{timezone.localdate():%Y-%m-%d}",
    ]
