"""Reads of funds: scoped accessors (404 outside the user's places), a fund's sums, and the
public money ledger of a street (who gave or granted, who was paid, amounts; never a person's
details: an anonymous donor is 匿名, and no staff member is named)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import subtree_q
from tongzhou.supplies.models import (
    Donation,
    DonationKind,
    Fund,
    Grant,
    GrantStatus,
    Purchase,
    PurchaseLine,
    PurchaseStatus,
    Store,
)

ZERO = Decimal("0.00")
# What a fund has spent or holds for a purchase waiting for its second approval.
SPENT = (PurchaseStatus.DONE, PurchaseStatus.WAITING)


@dataclass
class FundSums:
    donations: Decimal = ZERO
    grants: Decimal = ZERO
    spent: Decimal = ZERO
    held: Decimal = ZERO  # of `spent`: purchases waiting for a second approval

    @property
    def money_in(self) -> Decimal:
        return self.donations + self.grants

    @property
    def balance(self) -> Decimal:
        return self.money_in - self.spent


def _sum(qs: QuerySet[Any], field_name: str) -> Decimal:
    return Decimal(qs.aggregate(total=Sum(field_name))["total"] or 0).quantize(Decimal("0.01"))


def fund_sums(fund: Fund) -> FundSums:
    """The fund's money in and out, summed from its rows (never stored)."""
    purchases = Purchase.objects.filter(fund=fund, status__in=SPENT)
    return FundSums(
        donations=_sum(Donation.objects.filter(fund=fund, kind=DonationKind.MONEY), "amount"),
        grants=_sum(Grant.objects.filter(fund=fund, status=GrantStatus.APPROVED), "amount_approved"),
        spent=_sum(purchases, "amount"),
        held=_sum(purchases.filter(status=PurchaseStatus.WAITING), "amount"),
    )


def funds_for_user(user: Any) -> QuerySet[Fund]:
    return Fund.objects.filter(scope_of(user, Perm.SUPPLIES_VIEW).q("place_path")).select_related("place")


def get_fund_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Fund:
    return get_for_user(Fund.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path")


def get_grant_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Grant:
    return get_for_user(Grant.objects.select_related("fund"), user=user, pk=pk, perm=perm, path_field="place_path")


def get_purchase_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Purchase:
    return get_for_user(
        Purchase.objects.select_related("fund", "store", "recorded_by"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
    )


def fund_donations(fund: Fund) -> QuerySet[Donation]:
    return Donation.objects.filter(fund=fund).select_related("donor").order_by("-received_on", "-pk")


def donations_to_put_in(fund: Fund) -> QuerySet[Donation]:
    """Money donations at the fund's place or below that are in no fund yet."""
    return (
        Donation.objects.filter(subtree_q(fund.place_path, "place_path"), kind=DonationKind.MONEY, fund__isnull=True)
        .select_related("donor")
        .order_by("-received_on", "-pk")
    )


def fund_grants(fund: Fund) -> QuerySet[Grant]:
    return Grant.objects.filter(fund=fund).select_related("decided_by").order_by("-applied_on", "-pk")


def fund_purchases(fund: Fund) -> QuerySet[Purchase]:
    return Purchase.objects.filter(fund=fund).select_related("store").order_by("-bought_on", "-pk")


def purchase_lines(purchase: Purchase) -> QuerySet[PurchaseLine]:
    return purchase.lines.select_related("item", "lot").order_by("pk")


def purchase_stores(fund: Fund) -> QuerySet[Store]:
    """The stores a fund's purchase may go into: those at the fund's place or below it."""
    return Store.objects.filter(subtree_q(fund.place_path, "place_path")).order_by("place_path", "name")


def places_for_funds(user: Any) -> list[Any]:
    """The places where `user` may hold a fund: the roots of their SUPPLIES_MANAGE scope."""
    from tongzhou.places.models import Place

    roots = scope_of(user, Perm.SUPPLIES_MANAGE).roots
    return list(Place.objects.filter(path__in=roots).order_by("path")) if roots else []


# The public money ledger -----------------------------------------------------------------------


@dataclass
class MoneyLine:
    when: Any
    who: str  # the donor's public name (匿名 when anonymous), the funder, or the supplier
    what: str
    amount: Decimal


@dataclass
class PublicFund:
    name: str
    place: str
    money_in: list[MoneyLine] = field(default_factory=list)
    money_out: list[MoneyLine] = field(default_factory=list)
    total_in: Decimal = ZERO
    total_out: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.total_in - self.total_out


# The page lists the latest lines of each kind (the CSV lists them all); totals cover every line.
PUBLIC_LINES = 30


def public_funds(street: Any, lines: int | None = PUBLIC_LINES) -> list[PublicFund]:
    """Every fund at the street or below, with its receipts for anyone: money donations (by the
    donor's public name), approved grants (by funder) and completed purchases (by supplier, with
    what was bought). Totals are summed in the database; the latest `lines` donations, grants and
    purchases are listed (all of them when None). No person's details, no invoice photo, no staff
    member."""
    limit = slice(None, lines)
    area = subtree_q(street.path, "place_path")
    funds = list(Fund.objects.filter(area).select_related("place").order_by("place_path", "name"))
    if not funds:
        return []
    by_id = {f.pk: PublicFund(f.name, f.place.name) for f in funds}
    ids = list(by_id)
    for row in Donation.objects.filter(fund_id__in=ids).values("fund_id").annotate(total=Sum("amount")):
        by_id[row["fund_id"]].total_in += Decimal(row["total"] or 0)
    for row in (
        Grant.objects.filter(fund_id__in=ids, status=GrantStatus.APPROVED)
        .values("fund_id")
        .annotate(total=Sum("amount_approved"))
    ):
        by_id[row["fund_id"]].total_in += Decimal(row["total"] or 0)
    for row in (
        Purchase.objects.filter(fund_id__in=ids, status=PurchaseStatus.DONE)
        .values("fund_id")
        .annotate(total=Sum("amount"))
    ):
        by_id[row["fund_id"]].total_out += Decimal(row["total"] or 0)
    for d in Donation.objects.filter(fund_id__in=ids).select_related("donor").order_by("-received_on", "-pk")[limit]:
        assert d.fund_id is not None and d.amount is not None
        by_id[d.fund_id].money_in.append(MoneyLine(d.received_on, d.donor.public_name, d.purpose, d.amount))
    for g in Grant.objects.filter(fund_id__in=ids, status=GrantStatus.APPROVED).order_by("-applied_on", "-pk")[limit]:
        assert g.amount_approved is not None
        by_id[g.fund_id].money_in.append(
            MoneyLine(g.answered_on or g.applied_on, g.funder, g.purpose, g.amount_approved)
        )
    purchases = list(
        Purchase.objects.filter(fund_id__in=ids, status=PurchaseStatus.DONE)
        .prefetch_related("lines__item")
        .order_by("-bought_on", "-pk")[limit]
    )
    for p in purchases:
        what = "、".join(f"{line.item.name} {_plain(line.quantity)}{line.item.unit}" for line in p.lines.all())
        by_id[p.fund_id].money_out.append(MoneyLine(p.bought_on, p.supplier, what, p.amount))
    for f in by_id.values():
        f.money_in.sort(key=lambda m: m.when, reverse=True)
    return [by_id[f.pk] for f in funds]


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
