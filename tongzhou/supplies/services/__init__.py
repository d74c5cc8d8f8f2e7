"""Every write of supplies, by sub-domain: quantities, the catalogue (items, stores, minimum levels),
the stock ledger (every movement of stock), shortages and the ledger check, donations, hand-outs to
front-line workers, and requisitions.

A movement appends ledger entries and changes their running balances in one transaction: a
decrease is a conditional UPDATE (`quantity >= n`), so two keepers issuing the last masks at once
cannot both succeed and stock never goes below zero (a CHECK constraint backs it). Entries are
never changed: a mistake is undone by `entry_reverse`, which writes the opposite entries.
Bad input raises ValidationError naming the field, and nothing is written.

The public names are re-exported here: views and tests call them as `services.<name>`.
"""

from tongzhou.supplies.services.catalogue import (
    item_create,
    lot_for,
    minimum_set,
    store_create,
)
from tongzhou.supplies.services.checks import (
    CheckReport,
    Mismatch,
    ledger_check,
    ledger_compare,
)
from tongzhou.supplies.services.donations import (
    GoodsLine,
    donation_record,
)
from tongzhou.supplies.services.handouts import (
    handout_confirm,
    handout_issue,
    leads_team_of,
)
from tongzhou.supplies.services.ledger import (
    entry_reverse,
    stock_adjust,
    stock_issue,
    stock_receive,
    stock_return,
    stock_transfer,
    transfer_arrive,
)
from tongzhou.supplies.services.quantities import (
    plain_quantity,
    quantity_parse,
)
from tongzhou.supplies.services.requisitions import (
    AskedLine,
    requisition_approve,
    requisition_issue,
    requisition_packs,
    requisition_receive,
    requisition_reject,
    requisition_second_decide,
    requisition_submit,
    warehouse_for,
)

__all__ = [
    "AskedLine",
    "CheckReport",
    "GoodsLine",
    "Mismatch",
    "donation_record",
    "entry_reverse",
    "handout_confirm",
    "handout_issue",
    "item_create",
    "leads_team_of",
    "ledger_check",
    "ledger_compare",
    "lot_for",
    "minimum_set",
    "plain_quantity",
    "quantity_parse",
    "requisition_approve",
    "requisition_issue",
    "requisition_packs",
    "requisition_receive",
    "requisition_reject",
    "requisition_second_decide",
    "requisition_submit",
    "stock_adjust",
    "stock_issue",
    "stock_receive",
    "stock_return",
    "stock_transfer",
    "store_create",
    "transfer_arrive",
    "warehouse_for",
]
