"""Thank-you campaigns: the list, a campaign's page with its visits, and a visit's photo."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.core.access import id_or_404
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.supplies import selectors as supplies_selectors
from tongzhou.welfare import selectors
from tongzhou.welfare.forms import (
    CampaignForm,
    VisitForm,
)
from tongzhou.welfare.services import (
    Gift,
    campaign_create,
    visit_record,
)


@require_perm(Perm.WELFARE_MANAGE)
def campaign_list(request: ScopedRequest) -> HttpResponse:
    form = CampaignForm(
        request.POST or None,
        places=selectors.plan_places(request.scope),
        organisations=selectors.organisations_for(request.scope),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                actor=request.user,
                place=data["place"],
                name=data["name"],
                organisation=data["organisation"],
                targets=selectors.campaign_targets(data["target"], data["place"].path, number=form.target_number()),
                thanks_text=data["thanks_text"],
                target=data["target"],
                target_number=form.target_number(),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("welfare:campaign", pk=campaign.pk)
    return render(request, "welfare/campaigns.html", {"campaigns": selectors.campaigns(request.scope), "form": form})


@require_perm(Perm.WELFARE_MANAGE)
def campaign_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for_user(user=request.user, pk=pk)
    stores = supplies_selectors.stores_for_user(request.user, Perm.WELFARE_MANAGE).order_by("name")
    items = supplies_selectors.items()
    form = VisitForm(request.POST or None, request.FILES or None, stores=stores, items=items)
    if request.method == "POST":
        visit = campaign.visits.filter(pk=id_or_404(request.POST.get("visit", ""))).first()
        if visit is None:
            raise Http404
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("welfare:campaign", pk=campaign.pk)
        data = form.cleaned_data
        gift = Gift(data["store"], data["item"], data["quantity"]) if data["store"] else None
        try:
            visit_record(
                actor=request.user,
                visit=visit,
                visited_by=data["visited_by"],
                given=data["given"],
                note=data["note"],
                gift=gift,
                photo=data.get("photo"),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:campaign", pk=campaign.pk)
    visits = list(selectors.campaign_visits(campaign))
    return render(
        request,
        "welfare/campaign.html",
        {
            "campaign": campaign,
            "due": [v for v in visits if v.visited_at is None],
            "done": [v for v in visits if v.visited_at is not None],
            "form": form,
            "stores": stores,
            "items": items,
        },
    )


# Member units: the officer's side ----------------------------------------------------------------


@require_perm(Perm.WELFARE_MANAGE)
@require_GET
def visit_photo(request: ScopedRequest, pk: int, visit_pk: int) -> HttpResponseBase:
    """A visit's photo, only through its campaign (the welfare officers of its place); else 404."""
    campaign = selectors.get_campaign_for_user(user=request.user, pk=pk)
    visit = selectors.get_visit_photo(campaign, visit_pk)
    response = FileResponse(visit.photo.open("rb"), content_type=visit.photo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
