"""`manage.py check --deploy` fails with demo mode on and DEBUG off (issue #15, item 13)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


def test_demo_mode_without_debug_fails_the_deploy_check():
    with override_settings(TONGZHOU_DEMO=True, DEBUG=False), pytest.raises(SystemCheckError, match="tongzhou.E010"):
        call_command("check", deploy=True)


def test_demo_mode_is_fine_for_the_plain_check_and_with_debug():
    with override_settings(TONGZHOU_DEMO=True, DEBUG=False):
        call_command("check")
    with override_settings(TONGZHOU_DEMO=True, DEBUG=True):
        from tongzhou.core.apps import check_demo_off

        assert check_demo_off() == []
    with override_settings(TONGZHOU_DEMO=False, DEBUG=False):
        from tongzhou.core.apps import check_demo_off

        assert check_demo_off() == []
