"""The demo's testing round (called by `tongzhou.demo`)."""

from collections.abc import Callable
from datetime import time

from django.db import transaction
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.core.scope import subtree_q
from tongzhou.people.models import Person
from tongzhou.places.models import Place
from tongzhou.testing.models import ExemptReason, Lab, Result, Round, Tube
from tongzhou.testing.selectors import buildings_to_plan
from tongzhou.testing.services import (
    RoundData,
    SiteData,
    TubeResult,
    box_hand_over,
    box_receive,
    box_seal,
    exemption_set,
    results_record,
    round_advance,
    round_create,
    sample_take,
    site_create,
    slots_plan,
)


def _testing_round(community: Place, *, staff: User, log: Callable[[str], None]) -> None:
    """A 10-in-1 round over 泰安巷3号院 under way: about two thirds sampled building by building,
    one resident exempt (in hospital), the full tubes resulted negative but one positive, whose
    ten members are recalled for a retest. None if the compound has a round already."""
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    if Round.objects.filter(place=compound).exists():
        return
    today = timezone.localdate()
    data = RoundData(place=compound, name="泰安巷3号院第一轮核酸筛查", starts_on=today, ends_on=today, pool_size=10)
    test_round = round_advance(actor=staff, test_round=round_create(actor=staff, data=data))
    site = site_create(
        actor=staff,
        round_=test_round,
        data=SiteData(compound, "泰安巷3号院广场采样点", per_hour=120, opens=time(8), closes=time(12)),
    )
    slots_plan(actor=staff, site=site, buildings=buildings_to_plan(test_round))
    people = list(Person.objects.filter(subtree_q(compound.path, "place_path")).order_by("place_path", "pk"))
    exemption_set(actor=staff, test_round=test_round, person=people[-1], reason=ExemptReason.IN_HOSPITAL)
    sampled = people[: len(people) * 2 // 3]
    for i, person in enumerate(sampled):
        sample_take(actor=staff, test_round=test_round, person=person, barcode=f"TA{today:%y%m%d}{i // 10 + 1:04d}")
    full = list(Tube.objects.filter(round=test_round, filled=10).order_by("barcode"))
    street = community.parent
    assert street is not None
    lab, _created = Lab.objects.get_or_create(
        name="南明区疾病预防控制中心实验室", place=street, defaults={"place_path": street.path}
    )
    box = box_seal(
        actor=staff, round_=test_round, code=f"XB{today:%y%m%d}01", lab=lab, barcodes=[t.barcode for t in full]
    )
    box_hand_over(actor=staff, box=box, courier="王师傅")
    box_receive(actor=staff, box=box, counted=len(full))
    full = list(Tube.objects.filter(round=test_round, filled=10).order_by("barcode"))
    with transaction.atomic():
        results_record(
            actor=staff,
            results=[TubeResult(t, Result.POSITIVE if i == 1 else Result.NEGATIVE) for i, t in enumerate(full)],
        )
    log(f"{compound.name}: a testing round, {len(sampled)} sampled in {len(full)} resulted tubes, one positive")
