"""What every printed document shares: the Chinese font and QR codes, drawn by reportlab.

Importing this module registers the font, so `pdf.setFont(FONT, size)` works in any document.
"""

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # Adobe's CID font for Simplified Chinese: no font file to ship
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def draw_qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code of `text`, `size` points square, its lower left corner at (x, y)."""
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)
