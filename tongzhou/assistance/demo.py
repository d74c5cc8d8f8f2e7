"""The demo's help requests (called by `tongzhou.demo`), at several stages."""

from collections.abc import Callable

from tongzhou.accounts.models import User
from tongzhou.assistance.models import Category, HelpRequest, Status, Urgency
from tongzhou.assistance.services import HelpData, help_request_claim, help_request_create, help_request_transition
from tongzhou.core.scope import subtree_q
from tongzhou.people.models import Person
from tongzhou.places.models import Place

# (category, urgency, what is needed, how far it got)
DEMO_REQUESTS = [
    (Category.GROCERIES, Urgency.NORMAL, "老人独居、行动不便，需要大米一袋、青菜和鸡蛋。", Status.NEW),
    (Category.MEDICINE, Urgency.URGENT, "降压药（硝苯地平缓释片）剩两天的量，请帮忙到社区医院代购。", Status.NEW),
    (Category.PAPERWORK, Urgency.NORMAL, "女儿下月预产期，生育服务证找不到了，需要社区帮忙补办。", Status.ASSIGNED),
    (Category.REPAIRS, Urgency.NORMAL, "厨房水管漏水。", Status.DONE),
]


def _help_requests(community: Place, *, staff: User, helper: User, log: Callable[[str], None]) -> None:
    """A few help requests in 泰安巷 at several stages, recorded through the services; none if
    the community has requests already."""
    if HelpRequest.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    people = Person.objects.filter(subtree_q(community.path, "place_path")).exclude(phone_index="").order_by("pk")
    for person, (category, urgency, summary, stage) in zip(people[: len(DEMO_REQUESTS)], DEMO_REQUESTS, strict=False):
        help_request = help_request_create(
            actor=staff, data=HelpData(category=category, urgency=urgency, summary=summary, person=person)
        )
        if stage in (Status.ASSIGNED, Status.DONE):
            help_request = help_request_claim(actor=helper, help_request=help_request)
        if stage == Status.DONE:
            help_request = help_request_transition(actor=helper, help_request=help_request, to=Status.IN_PROGRESS)
            help_request_transition(actor=helper, help_request=help_request, to=Status.DONE)
    log(f"{community.name}: {len(DEMO_REQUESTS)} help requests")
