from collections.abc import Callable
from typing import Any

import pytest

from tongzhou.alerts import kinds
from tongzhou.alerts.kinds import AlertKind, Severity
from tongzhou.alerts.models import Alert
from tongzhou.alerts.services import alert_raise
from tongzhou.core.permissions import Perm, Role

SHORTAGE = AlertKind(
    key="test.shortage",
    label="Shortage",
    outcomes=(("restocked", "Restocked"), ("other", "Other")),
    view_perm=Perm.HEALTH_CHECK,
    assignee_roles=(Role.COMMUNITY_STAFF,),
    severity=Severity.HIGH,
    describe=lambda details: f"{details.get('item')} × {details.get('short')}",
)
# Seen by whoever holds HEALTH_VIEW, closed only by the health officer.
REVIEW = AlertKind(
    key="test.review",
    label="Review",
    outcomes=(("done", "Done"),),
    view_perm=Perm.HEALTH_VIEW,
    close_perm=Perm.ISOLATION_ORDER,
)


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two kinds of a pretend module, declared for one test only."""
    for kind in (SHORTAGE, REVIEW):
        monkeypatch.setitem(kinds._KINDS, kind.key, kind)


@pytest.fixture
def raise_at(demo: Any) -> Callable[..., Alert]:
    """Raise a shortage alert at a place of the demo street (泰安巷 unless told)."""

    def make(place: str = "taian_compound", kind: str = SHORTAGE.key, **kwargs: Any) -> Alert:
        return alert_raise(
            kind=kind,
            place=demo.places[place],
            subject_type="test.item",
            subject_id=1,
            subject_label="口罩",
            details={"item": "口罩", "short": 200},
            **kwargs,
        )

    return make
