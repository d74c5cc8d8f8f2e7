"""Pass cards carry their font: the title's "·" and the Chinese print the same in any viewer."""

from tongzhou.checkpoints.models import Pass
from tongzhou.core.pdf import FONT_EMBEDDED
from tongzhou.core.tests.test_pdf_font import needs_the_font_file


def test_pass_cards_embed_their_font(demo, client_as):
    compound = demo.places["taian_compound"]
    staff = client_as("taian_staff")
    staff.post(f"/checkpoints/passes/{compound.pk}/", {})
    assert Pass.objects.exists()
    needs_the_font_file()
    assert FONT_EMBEDDED
    pdf = staff.get(f"/checkpoints/passes/{compound.pk}/cards.pdf").content
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"STSong-Light" not in pdf
