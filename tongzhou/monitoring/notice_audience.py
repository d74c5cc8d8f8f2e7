"""Monitoring feeds the notices app one kind of audience: the key persons under isolation now (an
active order) in a place's subtree, through `notices.audiences.register`."""

from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import IsolationOrder, OrderStatus
from tongzhou.notices.audiences import Contact


def key_persons_under_isolation(path: str, ref: str = "") -> list[Contact]:
    orders = (
        IsolationOrder.objects.filter(subtree_q(path, "place_path"), status=OrderStatus.ACTIVE)
        .select_related("key_person__person")
        .order_by("place_path", "pk")
    )
    people = {o.key_person.person_id: o.key_person.person for o in orders}
    return [Contact(p.name, p.phone or "", p.household_id) for p in people.values()]
