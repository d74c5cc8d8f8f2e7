"""Notices to every household every fifteen days, their reach, and the texts to the household
heads through the message pipeline's table: one outbox row a head, with how far it got
(delivered, sent, failed, or still queued for the latest notice), noted on its recipient and the
household's reach as the outbox keeps them in step; each message's idempotency key taken in the
outbox's key table."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection

from tongzhou.accounts.models import User
from tongzhou.core import pii
from tongzhou.core.bulk import insert_many
from tongzhou.core.outbox.models import MessageStatus, OutboxKey, OutboxMessage
from tongzhou.notices.models import Notice, Reach, Recipient, Texted
from tongzhou.scale.common import CityStats, Community, when, write

TEXTED = {
    MessageStatus.DELIVERED: Texted.SENT,
    MessageStatus.SENT: Texted.SENT,
    MessageStatus.QUEUED: Texted.PENDING,
    MessageStatus.FAILED: Texted.FAILED,
}


def _outcome(rng: random.Random, sent: datetime, now: datetime) -> MessageStatus:
    if sent + timedelta(hours=2) > now and rng.random() < 0.5:
        return MessageStatus.QUEUED
    roll = rng.random()
    return MessageStatus.DELIVERED if roll < 0.9 else MessageStatus.SENT if roll < 0.97 else MessageStatus.FAILED


def notices(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    for day in days[::15]:
        _notice(place, day, staff, rng, now, stats)


def _notice(place: Community, day: date, staff: User, rng: random.Random, now: datetime, stats: CityStats) -> None:
    postgres = connection.vendor == "postgresql"
    building_of = {h.pk: (h.place_id, h.place.path) for h in place.households}
    sent = when(day, 9)
    text = f"【{place.place.name}】{day:%m月%d日}开展全员核酸检测，请按时到采样点，带好身份证。"
    notice = Notice(
        place=place.place,
        place_path=place.place.path,
        title=f"关于{day:%m月%d日}开展全员核酸检测的通知",
        body="请各位居民按时到采样点检测，带好身份证，戴好口罩，保持一米间距。",
        valid_from=day,
        valid_to=day + timedelta(days=3),
        status="sent",
        created_by=staff,
        sent_at=sent,
        recipient_count=len(place.heads),
        message_text=text,
        created_at=when(day, 8),
    )
    insert_many([notice], as_given=("created_at",))
    # One token for the text of all its messages, as the pipeline seals a shared text once.
    sealed_text = pii.encrypt(text) if postgres else text
    outcomes = {household_id: _outcome(rng, sent, now) for household_id, *_rest in place.heads}
    reach_ids = write(
        Reach,
        (
            {
                "notice_id": notice.pk,
                "household_id": household.pk,
                "building_id": household.place_id,
                "place_path": household.place.path,
                "texted": TEXTED[outcomes[household.pk]] if household.pk in outcomes else Texted.NONE,
                "acknowledged_at": when(day, 12) if rng.random() < 0.3 else None,
                "visited_at": when(day, 15) if rng.random() < 0.05 else None,
                "created_at": sent,
                "updated_at": sent,
            }
            for household in place.households
        ),
        stats,
        "notice_reach",
    )
    reach_of = {h.pk: pk for h, pk in zip(place.households, reach_ids, strict=True)}

    def message(head: tuple[int, str, str, str, str]) -> dict[str, Any]:
        household_id, _name, phone, token, index = head
        status = outcomes[household_id]
        done = status in (MessageStatus.SENT, MessageStatus.DELIVERED)
        return {
            "kind": "notice",
            "to": token if postgres else phone,
            "to_index": index,
            "to_masked": pii.mask_phone(phone),
            "text": sealed_text,
            "text_masked": text,
            "scope_path": building_of[household_id][1],
            "status": status,
            "attempts": 0 if status == MessageStatus.QUEUED else 3 if status == MessageStatus.FAILED else 1,
            "next_attempt_at": sent if status == MessageStatus.QUEUED else None,
            "key": f"city-notice-{notice.pk}-{household_id}",
            "provider_id": f"city-{notice.pk}-{household_id}" if done else "",
            "error": "gateway: number unreachable" if status == MessageStatus.FAILED else "",
            "sent_at": sent + timedelta(minutes=5) if done else None,
            "delivered_at": sent + timedelta(minutes=6) if status == MessageStatus.DELIVERED else None,
            "created_at": sent,
            "updated_at": sent,
        }

    message_ids = write(OutboxMessage, (message(head) for head in place.heads), stats, "messages")
    # Each message's key taken, as the pipeline takes it (OutboxKey).
    write(
        OutboxKey,
        (
            {"key": f"city-notice-{notice.pk}-{household_id}", "message_id": pk, "created_at": sent}
            for (household_id, *_rest), pk in zip(place.heads, message_ids, strict=True)
        ),
        stats,
        "message_keys",
    )
    write(
        Recipient,
        (
            {
                "notice_id": notice.pk,
                "reach_id": reach_of[household_id],
                "name": name,
                "sealed_to": token,
                "to_index": index,
                "to_masked": pii.mask_phone(phone),
                "message_id": pk,
                "status": outcomes[household_id],
            }
            for (household_id, name, phone, token, index), pk in zip(place.heads, message_ids, strict=True)
        ),
        stats,
        "notice_recipients",
    )
    stats.count("notices", 1)
