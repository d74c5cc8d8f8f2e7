"""What the gate answers, as a pure function of the facts (the scan page's offline copy of these
rules is in static/checkpoints/scan.js and must say the same).

Order: a fever stops anyone; then who it is (a forged or unknown pass, another compound's, a
revoked or expired one); then going out: sealed lets nobody out, a household kept at home (under
home isolation, say: tongzhou.people.outings) may not leave, controlled lets each household out a
set number of times a day. Coming home is always allowed to a valid pass.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tongzhou.checkpoints.models import ControlLevel, Direction, PassStatus, Reason


@dataclass(frozen=True)
class Facts:
    direction: str
    temperature: Decimal | None
    fever_from: Decimal
    when: datetime
    token_genuine: bool = True
    pass_found: bool = True
    in_compound: bool = True
    pass_status: str = PassStatus.ACTIVE
    valid_until: datetime | None = None
    level: str = ControlLevel.NONE
    outings_used: int = 0
    outings_per_day: int = 1
    kept_home: bool = False


def decide(facts: Facts) -> str:
    """The reason code; the passage is allowed only when it is `Reason.OK`."""
    if facts.temperature is not None and facts.temperature >= facts.fever_from:
        return Reason.FEVER
    if not facts.token_genuine:
        return Reason.FORGED
    if not facts.pass_found:
        return Reason.UNKNOWN
    if not facts.in_compound:
        return Reason.OTHER_COMPOUND
    if facts.pass_status == PassStatus.REVOKED:
        return Reason.REVOKED
    if facts.valid_until is not None and facts.valid_until <= facts.when:
        return Reason.EXPIRED
    if facts.direction == Direction.OUT:
        if facts.level == ControlLevel.SEALED:
            return Reason.SEALED
        if facts.kept_home:
            return Reason.KEPT_HOME
        if facts.level == ControlLevel.CONTROLLED and facts.outings_used >= facts.outings_per_day:
            return Reason.QUOTA
    return Reason.OK


def decide_visitor(*, temperature: Decimal | None, fever_from: Decimal, level: str) -> str:
    if temperature is not None and temperature >= fever_from:
        return Reason.FEVER
    if level == ControlLevel.SEALED:
        return Reason.VISITOR_SEALED
    return Reason.OK
