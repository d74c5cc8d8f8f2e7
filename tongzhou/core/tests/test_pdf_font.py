"""PDFs embed the CJK font file when it is there, and fall back, with a warning, to the referenced
STSong-Light when it is not (a fresh machine without fonts-wqy-zenhei still prints)."""

import logging
import os

import pytest

from tongzhou.core import pdf


def needs_the_font_file() -> None:
    """Locally a missing font is a skip with the reason; in CI (.ci/run installs it) a failure."""
    from django.conf import settings

    if not os.path.exists(settings.TONGZHOU_PDF_FONT):
        pytest.skip(f"{settings.TONGZHOU_PDF_FONT} is missing: apt-get install fonts-wqy-zenhei")


def test_the_font_file_is_embedded(settings):
    needs_the_font_file()
    assert pdf._register_font() == ("TongzhouCJK", True)


def test_a_missing_font_file_falls_back_with_a_warning(settings, caplog):
    settings.TONGZHOU_PDF_FONT = "/nonexistent/font.ttc"
    with caplog.at_level(logging.WARNING, logger="tongzhou.pdf"):
        assert pdf._register_font() == ("STSong-Light", False)
    assert "fonts-wqy-zenhei" in caplog.text
