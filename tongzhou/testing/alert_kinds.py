"""The testing module's alerts in the shared inbox: a positive or invalid pooled tube (its members
are recalled for a retest) and a positive single tube (propose registering a key person; never
done silently). Registered in TestingConfig.ready()."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import AlertKind, Severity, register
from tongzhou.core.permissions import Perm, Role

SUBJECT = "testing.round"


class Kind(models.TextChoices):
    POOL_RECALL = "testing_pool_recall", _("Pooled tube positive or invalid: members recalled")
    SINGLE_POSITIVE = "testing_single_positive", _("Single tube positive")
    CUSTODY = "testing_custody", _("Chain of custody: tubes do not add up")


def _tube(details: Mapping[str, Any]) -> str:
    return str(details.get("tube", ""))


def _custody(details: Mapping[str, Any]) -> str:
    return str(details.get("what", ""))


KINDS = (
    AlertKind(
        key=Kind.POOL_RECALL,
        label=Kind.POOL_RECALL.label,
        outcomes=(
            ("retests_arranged", _("Retests arranged")),
            ("control_requested", _("Control of the buildings requested")),
            ("other", _("Other")),
        ),
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.TESTING_PLAN,
        assignee_roles=(Role.HEALTH_OFFICER,),
        severity=Severity.HIGH,
        subject_url="testing:round",
        describe=_tube,
    ),
    AlertKind(
        key=Kind.SINGLE_POSITIVE,
        label=Kind.SINGLE_POSITIVE.label,
        outcomes=(
            ("key_person_registered", _("Registered as key person")),
            ("not_registered", _("Not registered (see note)")),
        ),
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.KEY_PERSON_REGISTER,
        note_required_for=frozenset({"not_registered"}),
        assignee_roles=(Role.HEALTH_OFFICER,),
        severity=Severity.HIGH,
        subject_url="testing:round",
        describe=_tube,
    ),
    AlertKind(
        key=Kind.CUSTODY,
        label=Kind.CUSTODY.label,
        outcomes=(
            ("found", _("Tubes found")),
            ("resampled", _("Residents sampled again")),
            ("lab_error", _("A lab's data error, corrected")),
            ("other", _("Other")),
        ),
        view_perm=Perm.TESTING_PLAN,
        assignee_roles=(Role.COMMUNITY_STAFF,),
        severity=Severity.HIGH,
        subject_url="testing:round",
        describe=_custody,
    ),
)


def register_kinds() -> None:
    register(*KINDS)
