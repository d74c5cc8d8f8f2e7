"""The stock ledger is partitioned by month of `created_at` on PostgreSQL (migration 0011, the
shared mechanism in tongzhou.core.partitions). It is kept for ever: no retention setting, no
month is ever dropped.

"Reversed once" and "arrives once" are EntryClaim's unique key (kind, entry), which needs no
time. What points into the ledger does so without a database constraint: Entry.reverses and
Entry.arrives, EntryClaim.entry and .by, DonationLine.entry, PurchaseLine.entry. They are not the
spec's `references` (ids set NULL before a month is dropped): no month is dropped, and most are
NOT NULL."""

from tongzhou.core.partitions import PartitionedTable, register

LEDGER = register(PartitionedTable(table="supplies_entry", column="created_at"))
