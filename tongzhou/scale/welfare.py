"""Welfare: a protection plan per community sponsored by a member unit, every volunteer of the
community enrolled by it, and claims from one in twenty of them (and the first) at each step of
the review, with the history of the moves that brought them there."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.people.models import Organisation, normalise_organisation_name
from tongzhou.scale.common import CityStats, Community, store, when, write
from tongzhou.scale.people import fake_id_number
from tongzhou.welfare.models import Benefit, Claim, ClaimHistory, ClaimStatus, Coverage, Enrollment, Plan

BENEFITS = {Coverage.ACCIDENT_ON_DUTY: Decimal(20_000), Coverage.INFECTION_ON_DUTY: Decimal(5_000)}
DESCRIPTIONS = {Coverage.ACCIDENT_ON_DUTY: "值守时摔伤，已就医", Coverage.INFECTION_ON_DUTY: "值守期间感染，已隔离治疗"}
# The moves to each status a claim can stand at.
PATHS: dict[str, list[str]] = {
    ClaimStatus.SUBMITTED: [],
    ClaimStatus.CHECKED: [ClaimStatus.CHECKED],
    ClaimStatus.APPROVED: [ClaimStatus.CHECKED, ClaimStatus.APPROVED],
    ClaimStatus.PAID: [ClaimStatus.CHECKED, ClaimStatus.APPROVED, ClaimStatus.PAID],
    ClaimStatus.REJECTED: [ClaimStatus.REJECTED],
}


def welfare(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    community = place.place
    name = f"{community.name}物业服务中心"
    unit = Organisation(
        name=name,
        normalised_name=normalise_organisation_name(name),
        kind="company",
        place=community,
        place_path=community.path,
    )
    insert_many([unit])
    plan = Plan(
        name=f"{community.name}志愿者关爱保障",
        sponsor=unit,
        place=community,
        place_path=community.path,
        contribution=Decimal("30.00"),
        starts_on=days[0],
        ends_on=days[0] + timedelta(days=365),
        waiting_days=3,
        eligible_duties=["gate", "sealed_building"],
        places_total=len(place.volunteers) + 10,
        places_taken=len(place.volunteers),
        created_by=staff,
        created_at=when(days[0], 9),
    )
    insert_many([plan], as_given=("created_at",))
    insert_many([Benefit(plan=plan, coverage=coverage, amount=amount) for coverage, amount in BENEFITS.items()])
    region = (community.code or "520102")[:6]
    enrollments = [
        Enrollment(
            plan=plan,
            place_path=community.path,
            name=volunteer.name,
            id_number=fake_id_number(rng, region, days[-1])[0],
            phone=volunteer.phone,
            organisation=unit,
            volunteer=volunteer,
            post_label="卡口值守",
            source="unit",
            covered_from=days[0] + timedelta(days=plan.waiting_days),
            enrolled_by=staff,
            created_at=when(days[0], 10),
        )
        for volunteer in place.volunteers
    ]
    store(enrollments, stats, "enrollments", as_given=("created_at",))
    claims = []
    for n, enrollment in enumerate(enrollments):
        # The first of each community claims, so even a small district has claims to read.
        if (n and rng.random() >= 0.05) or enrollment.covered_from > days[-1]:
            continue
        event = enrollment.covered_from + timedelta(days=rng.randint(0, (days[-1] - enrollment.covered_from).days))
        coverage = rng.choice(list(BENEFITS))
        claims.append(
            Claim(
                enrollment=enrollment,
                place_path=enrollment.place_path,
                coverage=coverage,
                event_on=event,
                description="值守时摔伤，已就医"
                if coverage == Coverage.ACCIDENT_ON_DUTY
                else "值守期间感染，已隔离治疗",
                amount=Decimal(rng.randint(1, 40) * 100).min(BENEFITS[coverage]),
                status=rng.choice(list(PATHS)),
                filed_by=staff,
                created_at=min(now, when(event, 18)),
            )
        )
    insert_many(claims, as_given=("created_at",))
    write(
        ClaimHistory,
        (
            {
                "claim_id": claim.pk,
                "created_at": min(now, claim.created_at + timedelta(hours=step + 1)),
                "actor_id": staff.pk,
                "from_status": before,
                "to_status": after,
                "reason": "材料齐全" if after != ClaimStatus.REJECTED else "不在保障范围",
            }
            for claim in claims
            for step, (before, after) in enumerate(
                zip([ClaimStatus.SUBMITTED, *PATHS[claim.status]][:-1], PATHS[claim.status], strict=True)
            )
        ),
        stats,
        "claim_moves",
    )
    stats.count("claims", len(claims))
