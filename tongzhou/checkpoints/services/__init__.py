"""Every write of closed management: control levels (sealing and unsealing wait for a second
person), gates, passes and gate devices, passages at the gate, fever alerts and visitors.

Passages come one at a time (a guard's scan) or in batches of up to 10,000 (a device or the scan
page coming back online); both go through `passages_record`, which is idempotent on the device's
`client_uuid`: a replay answers what the first one answered and writes nothing, and a batch is
stored whole or not at all, so a sync cut off halfway is simply sent again.
"""

from tongzhou.checkpoints.services.batches import (
    passages_record,
)
from tongzhou.checkpoints.services.control import (
    CONTROLLABLE_KINDS,
    control_decide,
    control_request,
    effective_levels,
)
from tongzhou.checkpoints.services.gates import (
    DEVICE_TOKEN_PREFIX,
    device_create,
    device_gate,
    device_known,
    device_revoke,
    gate_create,
    is_device_token,
)
from tongzhou.checkpoints.services.passages import (
    DIRECTIONS,
    TEMPERATURE_RANGE,
    DeviceScan,
    PassageItem,
    PassageResult,
    device_passage_record,
    device_scan_find,
    parse_item,
    passage_record_one,
)
from tongzhou.checkpoints.services.passes import (
    pass_revoke,
    pass_token,
    passes_issue,
)
from tongzhou.checkpoints.services.rows import (
    PASSAGE_COLUMNS,
    NewPassage,
    ScanDevice,
    ScanGate,
)
from tongzhou.checkpoints.services.visitors import (
    visitor_register,
)

__all__ = [
    "CONTROLLABLE_KINDS",
    "DEVICE_TOKEN_PREFIX",
    "DIRECTIONS",
    "PASSAGE_COLUMNS",
    "TEMPERATURE_RANGE",
    "DeviceScan",
    "NewPassage",
    "PassageItem",
    "PassageResult",
    "ScanDevice",
    "ScanGate",
    "control_decide",
    "control_request",
    "device_create",
    "device_gate",
    "device_known",
    "device_passage_record",
    "device_revoke",
    "device_scan_find",
    "effective_levels",
    "gate_create",
    "is_device_token",
    "parse_item",
    "pass_revoke",
    "pass_token",
    "passage_record_one",
    "passages_record",
    "passes_issue",
    "visitor_register",
]
