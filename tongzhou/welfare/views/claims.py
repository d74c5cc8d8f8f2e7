"""Mutual-aid claims: filing one, the list to decide, a claim's page and the public notice."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.access import ScopedRequest, logged_in, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import TransitionError
from tongzhou.welfare import selectors
from tongzhou.welfare.forms import (
    ClaimForm,
    ClaimMoveForm,
)
from tongzhou.welfare.models import ClaimStatus
from tongzhou.welfare.services import (
    ClaimData,
    claim_file,
    claim_move,
)


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return timezone.localdate()


@logged_in
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim form, filled from what the system knows: the claimant's shift that day and its
    check-in, their isolation orders, their help requests; `?source=order-12` fills it from the
    fact chosen. The claimant files for themself; the welfare officer may file for them."""
    enrollment = selectors.get_enrollment_for_user(user=request.user, pk=pk)
    if enrollment.user_id != request.user.pk and not scope_for(request.user, Perm.WELFARE_CLAIMS).contains(
        enrollment.place_path
    ):
        raise Http404
    day = _day(request.POST.get("event_on") or request.GET.get("day") or timezone.localdate())
    evidence = selectors.claim_evidence(enrollment, day)
    try:
        source = selectors.parse_source(request.GET.get("source", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Unknown source of facts."))
    try:
        initial = selectors.claim_prefill(enrollment.plan, evidence, source, day)
    except LookupError:
        if request.method != "POST":
            raise Http404 from None
        initial = {}  # the date was changed after the fact was chosen: the posted fields decide
    form = ClaimForm(
        request.POST or None,
        initial=initial,
        assignments=evidence.assignments,
        orders=evidence.orders,
        help_requests=evidence.help_requests,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = claim_file(
                actor=request.user,  # type: ignore[arg-type]
                enrollment=enrollment,
                data=ClaimData(
                    coverage=data["coverage"],
                    event_on=data["event_on"],
                    description=data["description"],
                    amount=data["amount"],
                    assignment_id=data["assignment"],
                    isolation_order_id=data.get("isolation_order"),
                    help_request_id=data.get("help_request"),
                ),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Claim filed; follow it here."))
            return redirect("welfare:claim", pk=claim.pk)
    return render(
        request,
        "welfare/claim_new.html",
        {"enrollment": enrollment, "form": form, "evidence": evidence, "source": source, "day": day},
    )


@require_perm(Perm.WELFARE_CLAIMS)
def claim_list(request: ScopedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    return render(
        request,
        "welfare/claims.html",
        {"claims": selectors.claims(request.scope, status)[:200], "status": status, "statuses": ClaimStatus.choices},
    )


# The claim page's buttons say what they do (the statuses they lead to are past participles).
CLAIM_MOVES: dict[str, Any] = {
    ClaimStatus.CHECKED: gettext_lazy("Mark as checked"),
    ClaimStatus.APPROVED: gettext_lazy("Approve"),
    ClaimStatus.REJECTED: gettext_lazy("Reject"),
    ClaimStatus.PAID: gettext_lazy("Mark as paid"),
}


@logged_in
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(user=request.user, pk=pk)
    can_review = scope_for(request.user, Perm.WELFARE_CLAIMS).contains(claim.place_path)
    form = ClaimMoveForm(request.POST or None) if can_review else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            claim_move(
                actor=request.user,  # type: ignore[arg-type]
                claim=claim,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                public_notice=form.cleaned_data["public_notice"],
                request=request,
            )
        except (ValidationError, TransitionError) as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:claim", pk=claim.pk)
    moves = [(to, CLAIM_MOVES[to]) for to in sorted(claim.TRANSITIONS.get(claim.status, ()))] if can_review else []
    return render(
        request,
        "welfare/claim.html",
        {
            "claim": claim,
            "history": claim.history.select_related("actor"),
            "moves": moves,
            "form": form,
            "evidence": selectors.evidence_links(request.user, claim),
        },
    )


@logged_in
def notice(request: HttpRequest) -> HttpResponse:
    """The public notice period (公示): approved claims listed pseudonymised, post and amount only."""
    return render(
        request, "welfare/notice.html", {"rows": selectors.public_notice(scope_for(request.user, Perm.PLACES_VIEW))}
    )
