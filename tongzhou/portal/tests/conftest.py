"""The residents and their records the personal-link pages are tried with, as the modules' own
tests make them."""

from tongzhou.assistance.tests.conftest import make_request, songhua_person, taian_person
from tongzhou.monitoring.tests.conftest import make_order

__all__ = ["make_order", "make_request", "songhua_person", "taian_person"]
