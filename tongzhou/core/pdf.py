"""What every printed document shares: the Chinese font and QR codes, drawn by reportlab.

Importing this module registers the font, so `pdf.setFont(FONT, size)` works in any document.

The font is embedded (subset to the characters used), so a printed pass or notice looks the same
in every viewer: WenQuanYi Zen Hei, TrueType outlines from Debian's `fonts-wqy-zenhei` (GPL with
the font exception, free to embed). `TONGZHOU_PDF_FONT` names another TrueType file (.ttf/.ttc).
Without the file, PDFs fall back to Adobe's STSong-Light, which is referenced, not embedded (the
viewer supplies it), and a warning says so.
"""

import logging
import os

from django.conf import settings
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

logger = logging.getLogger("tongzhou.pdf")

FALLBACK_FONT = "STSong-Light"  # Adobe's CID font for Simplified Chinese: not embedded


def _register_font() -> tuple[str, bool]:
    """Registers the document font; answers its name and whether it is embedded."""
    font_file = settings.TONGZHOU_PDF_FONT
    if os.path.exists(font_file):
        try:
            pdfmetrics.registerFont(TTFont("TongzhouCJK", font_file, subfontIndex=0))
            return "TongzhouCJK", True
        except Exception:  # a file reportlab cannot read (CFF outlines, damaged): fall back, say so
            logger.warning("PDF font %s could not be loaded; falling back to %s", font_file, FALLBACK_FONT)
    else:
        logger.warning(
            "PDF font %s is missing (apt-get install fonts-wqy-zenhei); PDFs reference %s without embedding it",
            font_file,
            FALLBACK_FONT,
        )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT, False


FONT, FONT_EMBEDDED = _register_font()


def draw_qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code of `text`, `size` points square, its lower left corner at (x, y)."""
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)
