"""The project's own settings, with one more URL: the bare baseline view of bench/passages.py."""

from tongzhou.settings import *  # noqa: F403

ROOT_URLCONF = "gate_stack.urls"
