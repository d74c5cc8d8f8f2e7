"""Hand-outs to front-line workers and their confirmation."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.supplies.models import (
    HandOut,
    Item,
    Store,
)
from tongzhou.supplies.services.ledger import _tally, stock_issue
from tongzhou.volunteers.models import Team


@transaction.atomic
def handout_issue(
    *,
    actor: User | None,
    store: Store,
    recipient: User,
    lines: Sequence[tuple[Item, Any]],
    post: Any = None,
) -> HandOut:
    """Issue goods from `store` to a worker (a post's kit when `post` is given): one issued entry
    per lot taken (first-expiring-first-out), all in one batch with the hand-out. The recipient must
    hold a role within the store's community or street (a worker there). All or nothing; errors
    name the row. Needs SUPPLIES_KEEP over the store."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    if not lines:
        raise ValidationError({"lines": _("Enter at least one line of goods.")})
    if post is not None and actor is not None and not scope_of(actor, Perm.SUPPLIES_KEEP).contains(post.place_path):
        raise ValidationError({"post": _("This post is outside your places.")})
    batch = uuid.uuid4()
    handout = HandOut.objects.create(
        store=store,
        place_path=store.place_path,
        recipient=recipient,
        post=post,
        team=Team.objects.filter(members__user_id=recipient.pk).order_by("pk").first(),
        batch=batch,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    errors: list[str] = []
    for n, (item, quantity) in enumerate(lines, start=1):
        try:
            with transaction.atomic():
                note = post.name if post is not None else ""
                entries = stock_issue(actor=actor, store=store, item=item, quantity=quantity, batch=batch, note=note)
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        _tally(handout, item_id=item.pk, quantity=-sum((e.quantity for e in entries), Decimal(0)))
    if errors:
        raise ValidationError({"lines": errors})
    return handout


def leads_team_of(*, leader: Any, member_id: int) -> bool:
    """Whether `leader` leads a volunteer team of which the account `member_id` is a member."""
    return Team.objects.filter(leader__user_id=leader.pk, members__user_id=member_id).exists()


@transaction.atomic
def handout_confirm(*, actor: User, handout: HandOut) -> HandOut:
    """The recipient confirms they got the goods (or their volunteer team's leader, or a keeper or
    staff member over the store, does for them). Once: compare-and-set."""
    if actor.pk != handout.recipient_id and not leads_team_of(leader=actor, member_id=handout.recipient_id):
        require(actor, Perm.SUPPLIES_KEEP, handout.place_path)
    done = HandOut.objects.filter(pk=handout.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by=actor
    )
    if not done:
        raise ValidationError(_("This hand-out was confirmed already."))
    handout.refresh_from_db()
    return handout
