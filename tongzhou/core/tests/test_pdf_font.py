"""PDFs embed the CJK font file when it is there, and fall back, with a warning, to the referenced
STSong-Light when it is not (a fresh machine without fonts-wqy-zenhei still prints)."""

import logging

from tongzhou.core import pdf


def test_the_font_file_is_embedded(settings):
    assert pdf._register_font() == ("TongzhouCJK", True)


def test_a_missing_font_file_falls_back_with_a_warning(settings, caplog):
    settings.TONGZHOU_PDF_FONT = "/nonexistent/font.ttc"
    with caplog.at_level(logging.WARNING, logger="tongzhou.pdf"):
        assert pdf._register_font() == ("STSong-Light", False)
    assert "fonts-wqy-zenhei" in caplog.text
