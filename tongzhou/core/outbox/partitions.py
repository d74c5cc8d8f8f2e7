"""The outbox is partitioned by month of `created_at` on PostgreSQL (core migration 0014, the
shared mechanism in tongzhou.core.partitions). Texts carry phone numbers: whole months older than
TONGZHOU_OUTBOX_RETENTION_MONTHS (6 by default; 0 keeps them for ever) are dropped, and the taken
keys of that age (`OutboxKey`) are deleted with them by the table's housekeeping. A notice's
recipient holds its message's id without a database constraint; it is set NULL before its month
goes (the recipient keeps its last status, and is not texted again: notices.services)."""

from datetime import datetime

from django.utils import timezone

from tongzhou.core import partitions as shared


def drop_old_keys(*, now: datetime | None = None) -> int:
    """Deletes the taken keys older than the retention (the months their messages were in are
    gone). Returns how many went; none when the outbox is kept for ever."""
    from tongzhou.core.outbox.models import OutboxKey

    months = OUTBOX.retention_months()
    if not months:
        return 0
    cutoff = shared.start_of(shared.month_start(timezone.localdate(now or timezone.now()), -months))
    deleted, _kinds = OutboxKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _housekeeping() -> dict[str, int]:
    return {"keys_deleted": drop_old_keys()}


OUTBOX = shared.register(
    shared.PartitionedTable(
        table="core_outboxmessage",
        column="created_at",
        retention_setting="TONGZHOU_OUTBOX_RETENTION_MONTHS",
        # notices.Recipient.message (db_constraint=False).
        references=(("notices_recipient", "message_id"),),
        housekeeping=_housekeeping,
    )
)
