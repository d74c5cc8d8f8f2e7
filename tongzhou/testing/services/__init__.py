"""Every write of the testing module, by sub-domain: rounds and exemptions (`rounds`), samples
(`sampling`), results, recalls and their purge (`results`), the chain of custody and the labs' API
(`custody`), sites and time slots (`sites`), and telling the households (`notify`). Callers import
from here."""

from tongzhou.testing.services.custody import (
    LAB_CONFLICT,
    LAB_SAME,
    LAB_STORED,
    LAB_TOKEN_PREFIX,
    LAB_UNKNOWN,
    LabItem,
    box_hand_over,
    box_receive,
    box_seal,
    lab_results_post,
    lab_token_issue,
)
from tongzhou.testing.services.notify import household_door_mark, personal_link_resend, round_notify
from tongzhou.testing.services.results import (
    TubeResult,
    results_purge,
    results_record,
    results_view_record,
)
from tongzhou.testing.services.rounds import (
    ROUND_PLACE_KINDS,
    RoundData,
    exemption_set,
    round_advance,
    round_create,
)
from tongzhou.testing.services.sampling import (
    BATCH_REFUSED,
    BATCH_SAME,
    BATCH_STORED,
    SampleItem,
    SampleOutcome,
    sample_take,
    samples_record,
)
from tongzhou.testing.services.sites import SiteData, site_create, slot_change, slots_plan

__all__ = [
    "BATCH_REFUSED",
    "BATCH_SAME",
    "BATCH_STORED",
    "LAB_CONFLICT",
    "LAB_SAME",
    "LAB_STORED",
    "LAB_TOKEN_PREFIX",
    "LAB_UNKNOWN",
    "ROUND_PLACE_KINDS",
    "LabItem",
    "RoundData",
    "SampleItem",
    "SampleOutcome",
    "SiteData",
    "TubeResult",
    "box_hand_over",
    "box_receive",
    "box_seal",
    "exemption_set",
    "household_door_mark",
    "lab_results_post",
    "lab_token_issue",
    "personal_link_resend",
    "results_purge",
    "results_record",
    "results_view_record",
    "round_advance",
    "round_create",
    "round_notify",
    "sample_take",
    "samples_record",
    "site_create",
    "slot_change",
    "slots_plan",
]
