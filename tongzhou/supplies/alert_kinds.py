"""The supplies module's alerts in the shared inbox: a store below its minimum level of an item
(for the keeper and community staff), and a running balance that differs from the sum of its
ledger entries (the nightly check). Registered in SuppliesConfig.ready()."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import AlertKind, Severity, register
from tongzhou.core.permissions import Perm, Role
from tongzhou.supplies.models import TallyBy

SUBJECT = "supplies.store"


class Kind(models.TextChoices):
    SHORTAGE = "supplies_shortage", _("Stock below the minimum level")
    LEDGER_MISMATCH = "supplies_ledger_mismatch", _("Stock balance differs from its ledger entries")
    TALLY_MISMATCH = "supplies_tally_mismatch", _("Hand-out tally differs from its hand-outs")


def _shortage(details: Mapping[str, Any]) -> str:
    return f"{details.get('item', '')}: {details.get('on_hand', '')} < {details.get('minimum', '')}"


def _mismatch(details: Mapping[str, Any]) -> str:
    what = f"{details.get('item', '')} {details.get('lot', '')}"
    return f"{what}: {details.get('balance', '')} ≠ {details.get('entries', '')}"


def _tally_mismatch(details: Mapping[str, Any]) -> str:
    # "by" is the tally's kind, put in the reader's language here (older alerts hold its label).
    by = details.get("by", "")
    by = TallyBy(by).label if by in TallyBy.values else by
    what = f"{details.get('item', '')} {by} #{details.get('who', '')}"
    return f"{what}: {details.get('tally', '')} ≠ {details.get('handouts', '')}"


KINDS = (
    AlertKind(
        key=Kind.SHORTAGE,
        label=Kind.SHORTAGE.label,
        outcomes=(
            ("replenished", _("Replenished")),
            ("requested", _("Requisition made")),
            ("other", _("Other")),
        ),
        view_perm=Perm.SUPPLIES_VIEW,
        assignee_roles=(Role.WAREHOUSE_KEEPER, Role.COMMUNITY_STAFF),
        severity=Severity.MEDIUM,
        subject_url="supplies:store",
        describe=_shortage,
    ),
    AlertKind(
        key=Kind.LEDGER_MISMATCH,
        label=Kind.LEDGER_MISMATCH.label,
        outcomes=(
            ("explained", _("Explained and corrected")),
            ("other", _("Other")),
        ),
        view_perm=Perm.SUPPLIES_MANAGE,
        assignee_roles=(Role.STREET_ADMIN,),
        severity=Severity.HIGH,
        subject_url="supplies:store",
        describe=_mismatch,
    ),
    AlertKind(
        key=Kind.TALLY_MISMATCH,
        label=Kind.TALLY_MISMATCH.label,
        outcomes=(
            ("explained", _("Explained and corrected")),
            ("other", _("Other")),
        ),
        view_perm=Perm.SUPPLIES_MANAGE,
        assignee_roles=(Role.STREET_ADMIN,),
        severity=Severity.HIGH,
        subject_url="supplies:store",
        describe=_tally_mismatch,
    ),
)


def register_kinds() -> None:
    register(*KINDS)
