"""Testing rounds: the list, planning a round, its page (untested by building, pool advice, tubes
and recalls for health roles), the sampling page and the door-knocking list, and the lab's
result file on the import framework."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, public, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.checkpoints.models import ControlLevel
from tongzhou.checkpoints.services import control_request
from tongzhou.core.access import id_or_404
from tongzhou.core.forms import form_errors
from tongzhou.core.imports import responses as imports
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.pwa import service_worker_response
from tongzhou.core.ratelimit import rate_count, rate_hit
from tongzhou.core.services import client_ip
from tongzhou.places.selectors import street_addresses
from tongzhou.testing import selectors
from tongzhou.testing.documents import bring_list, building_notice
from tongzhou.testing.forms import (
    BuildingForm,
    DoorForm,
    ExemptForm,
    HandOverForm,
    PhoneForm,
    PlanForm,
    ReceiveForm,
    ResultsUploadForm,
    RoundForm,
    SampleForm,
    SealForm,
    SearchForm,
    SiteForm,
    SlotForm,
)
from tongzhou.testing.importers import ResultImporter
from tongzhou.testing.links import read_building_token
from tongzhou.testing.models import DoorAnswer, Round, RoundStatus
from tongzhou.testing.selectors import get_round_for_user
from tongzhou.testing.services import (
    RoundData,
    SiteData,
    box_hand_over,
    box_receive,
    box_seal,
    exemption_set,
    household_door_mark,
    personal_link_resend,
    results_view_record,
    round_advance,
    round_create,
    round_notify,
    sample_take,
    site_create,
    slot_change,
    slots_plan,
)


@require_perm(Perm.TESTING_SAMPLE)
def rounds(request: ScopedRequest) -> HttpResponse:
    return render(
        request,
        "testing/rounds.html",
        {
            "rounds": selectors.rounds_in(request.scope)[:100],
            "can_plan": not scope_for(request.user, Perm.TESTING_PLAN).is_empty,
        },
    )


@require_perm(Perm.TESTING_PLAN)
def round_new(request: ScopedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test_round = round_create(
                actor=request.user,
                data=RoundData(
                    place=data["place"],
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    pool_size=data["pool_size"],
                    coverage=data["coverage"],
                ),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("testing:round", pk=test_round.pk)
    return render(request, "testing/round_form.html", {"form": form})


@require_perm(Perm.TESTING_SAMPLE)
def round_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    test_round = get_round_for_user(user=request.user, pk=pk)
    path = test_round.place_path
    can_plan = scope_for(request.user, Perm.TESTING_PLAN).contains(path)
    health = scope_for(request.user, Perm.HEALTH_VIEW).contains(path)
    buildings = selectors.untested_by_building(test_round)
    totals = {
        key: sum(getattr(b, key) for b in buildings)
        for key in ("eligible", "sampled", "exempt", "untested", "notified", "not_reached")
    }
    context: dict[str, Any] = {
        "round": test_round,
        "buildings": buildings,
        "totals": totals,
        "chart": selectors.round_chart(buildings),
        "can_plan": can_plan,
        "health": health,
        "can_sample": test_round.status == RoundStatus.OPEN,
    }
    if can_plan:
        context["advice"] = selectors.pool_advice(test_round, totals["eligible"] - totals["exempt"])
    if scope_for(request.user, Perm.CONTROL_SET).contains(path):
        context["recall_buildings"] = selectors.recall_buildings(test_round)
    if health:
        context["tubes"] = selectors.tube_counts(test_round)
        # Names and addresses only: the encrypted fields are not decrypted for 200 people.
        recalls = list(
            selectors.open_recalls(test_round).select_related("tube").defer("person__id_number", "person__phone")[:200]
        )
        results_view_record(actor=request.user, round_=test_round, people=[r.person for r in recalls])
        addresses = street_addresses(r.place_path for r in recalls)
        context["recalls"] = [
            {
                "name": mask_name(r.person.name),
                "address": addresses.get(r.place_path, ""),
                "room": r.household.room,
                "tube": r.tube.barcode,
            }
            for r in recalls
        ]
    return render(request, "testing/round.html", context)


@require_POST
@require_perm(Perm.TESTING_PLAN)
def round_advance_view(request: ScopedRequest, pk: int) -> HttpResponse:
    test_round = get_round_for_user(user=request.user, pk=pk, perm=Perm.TESTING_PLAN, write=True)
    try:
        round_advance(actor=request.user, test_round=test_round, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("testing:round", pk=test_round.pk)


@require_perm(Perm.TESTING_SAMPLE)
def sample(request: ScopedRequest, pk: int) -> HttpResponse:
    """Find the resident (scan their pass, type a name, the last 4 phone digits or an ID number, or
    open a building's list for door-to-door sampling), scan or type the tube's barcode. With
    JavaScript each sample is queued on the phone and sent in batches (static/testing/sample.js),
    so the page keeps working offline; without, the form posts one sample."""
    test_round = get_round_for_user(user=request.user, pk=pk)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    place = None
    if search.is_valid() and search.cleaned_data["place"]:
        place = selectors.place_in_round(test_round, request.scope, search.cleaned_data["place"])
        if place is None:
            raise Http404
    form = SampleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            found = selectors.eligible_person(test_round, request.scope, form.cleaned_data["person"])
            if found is None:
                raise Http404
            try:
                taken = sample_take(
                    actor=request.user, test_round=test_round, person=found, barcode=form.cleaned_data["barcode"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                tube = taken.tube
                messages.success(
                    request,
                    _("%(name)s sampled into tube %(tube)s (%(filled)d of %(size)d).")
                    % {
                        "name": mask_name(found.name),
                        "tube": tube.barcode,
                        "filled": tube.filled,
                        "size": tube.capacity,
                    },
                )
                request.session["testing_last_tube"] = tube.barcode
                return redirect(reverse("testing:sample", args=[test_round.pk]))
        else:
            messages.error(request, _("Scan or type the tube's barcode."))
    if place is not None:
        matches = selectors.building_matches(test_round, place)
    elif query:
        matches = selectors.sampling_matches(test_round, request.scope, query)
    else:
        matches = []
    config = {
        "round_id": test_round.pk,
        "pool_size": test_round.pool_size,
        "batch_url": reverse("api:testing_samples_batch", kwargs={"round_id": test_round.pk}),
        "sw_url": reverse("testing:sw"),
        "sw_scope": reverse("testing:rounds"),
        "assets": [static(path) for path in SAMPLE_ASSETS],
        "text": {
            "online": _("Online"),
            "offline": _("Offline"),
            "queued": _("%(n)s waiting to sync"),
            "synced": _("Synced %(time)s"),
            "need_tube": _("Scan or type the tube's barcode."),
            "full": _("The tube is full (%(n)s samples): open a new tube."),
            "kept": _("Kept on this phone: tube %(tube)s (%(n)s of %(size)s)."),
            "stored": _("Sampled into tube %(tube)s (%(n)s of %(size)s)."),
            "refused": _("Refused: %(error)s"),
        },
    }
    return render(
        request,
        "testing/sample.html",
        {
            "round": test_round,
            "query": query,
            "place": place,
            "place_address": street_addresses([place.path]).get(place.path, place.name) if place else "",
            "matches": matches,
            "last_tube": request.session.get("testing_last_tube", ""),
            "open": test_round.status == RoundStatus.OPEN,
            "config": config,
        },
    )


SAMPLE_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "tongzhou/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "tongzhou/app.js",
    "tongzhou/favicon.svg",
    "vendor/jsqr/jsQR.js",
    "tongzhou/offline-queue.js",
    "testing/sample.js",
)


@public
def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker (core), controlling the testing pages, so the sampling page opens offline."""
    return service_worker_response(reverse("testing:rounds"))


@require_perm(Perm.TESTING_SAMPLE)
def untested(request: ScopedRequest, pk: int) -> HttpResponse:
    """The door-knocking list of one building of the round: who is neither sampled nor exempt."""
    test_round = get_round_for_user(user=request.user, pk=pk)
    place_id = id_or_404(request.GET.get("place", ""))
    place = selectors.place_in_round(test_round, request.scope, place_id)
    if place is None:
        raise Http404
    can_plan = scope_for(request.user, Perm.TESTING_PLAN).contains(place.path)
    back = f"{reverse('testing:untested', args=[test_round.pk])}?place={place.pk}"
    if request.method == "POST" and request.POST.get("action") == "door":
        door = DoorForm(request.POST)
        if not door.is_valid():
            raise Http404
        household = selectors.household_in_round(test_round, request.scope, door.cleaned_data["household"])
        if household is None:
            raise Http404
        answer = door.cleaned_data["answer"]
        household_door_mark(actor=request.user, round_=test_round, household=household, answer=answer)
        return redirect(back)
    exempt_form = ExemptForm(request.POST or None) if can_plan else None
    if request.method == "POST":
        if exempt_form is None or not exempt_form.is_valid():
            raise Http404
        found = selectors.eligible_person(test_round, request.scope, exempt_form.cleaned_data["person"])
        if found is None:
            raise Http404
        exemption_set(
            actor=request.user,
            test_round=test_round,
            person=found,
            reason=exempt_form.cleaned_data["reason"],
            note=exempt_form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, _("Exemption recorded."))
        return redirect(back)
    return render(
        request,
        "testing/untested.html",
        {
            "round": test_round,
            "place": place,
            "people": selectors.untested_people(test_round, place.path),
            "exempt_form": ExemptForm() if can_plan else None,
            "answers": DoorAnswer.choices,
        },
    )


@require_perm(ResultImporter.permission)
def results_template(request: ScopedRequest) -> HttpResponse:
    return imports.template_response(ResultImporter)


@require_perm(ResultImporter.permission)
def results_upload(request: ScopedRequest, pk: int) -> HttpResponse:
    test_round = get_round_for_user(user=request.user, pk=pk, perm=ResultImporter.permission)
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    return imports.upload_view(
        request,
        ResultImporter,
        form,
        place=test_round.place,
        job_view="testing:results_job",
        template_url=reverse("testing:results_template"),
    )


@require_perm(ResultImporter.permission)
def results_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=ResultImporter.name)
    return imports.job_view(request, job, job_view="testing:results_job", errors_view="testing:results_errors")


@require_perm(ResultImporter.permission)
def results_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=ResultImporter.name)
    return imports.errors_csv_response(job)


@require_perm(Perm.TESTING_SAMPLE)
def custody(request: ScopedRequest, pk: int) -> HttpResponse:
    """Seal tubes into a box, hand it to a courier, receive and count it at the lab; the boxes and
    the reconciliation per lab and day."""
    test_round = get_round_for_user(user=request.user, pk=pk)
    can_receive = scope_for(request.user, Perm.TESTING_PLAN).contains(test_round.place_path)
    labs = selectors.labs_for(test_round)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    seal = SealForm(request.POST if action == "seal" else None, labs=labs, prefix="seal")
    hand = HandOverForm(request.POST if action == "hand" else None, prefix="hand")
    receive = ReceiveForm(request.POST if action == "receive" else None, prefix="receive") if can_receive else None
    form = {"seal": seal, "hand": hand, "receive": receive}.get(action)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "seal":
                box = box_seal(
                    actor=request.user,
                    round_=test_round,
                    code=data["code"],
                    lab=data["lab"],
                    barcodes=data["barcodes"].split(),
                )
                messages.success(
                    request, _("Box %(box)s sealed with %(n)d tubes.") % {"box": box.code, "n": box.tube_count}
                )
            else:
                found = selectors.boxes_of(test_round).filter(code=data["box"].strip().upper()).first()
                if found is None:
                    raise ValidationError({"box": _("No such box in this round.")})
                box = found
                if action == "hand":
                    box_hand_over(actor=request.user, box=box, courier=data["courier"])
                    messages.success(request, _("Box %(box)s handed over.") % {"box": box.code})
                else:
                    box = box_receive(actor=request.user, box=box, counted=data["counted"])
                    if box.count_differs:
                        messages.error(request, _("The count differs from the sealed count: staff are alerted."))
                    else:
                        messages.success(request, _("Box %(box)s received.") % {"box": box.code})
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("testing:custody", pk=test_round.pk)
    return render(
        request,
        "testing/custody.html",
        {
            "round": test_round,
            "seal": seal,
            "hand": hand,
            "receive": receive,
            "boxes": selectors.boxes_of(test_round)[:100],
            "reconciliation": selectors.reconciliation(test_round) if can_receive else None,
            "no_lab": not labs.exists(),
        },
    )


@require_perm(Perm.TESTING_SAMPLE)
def sites(request: ScopedRequest, pk: int) -> HttpResponse:
    """The round's sampling sites and their slots, building by building; staff add a site, plan
    its slots from the head counts and the site's rate, and move a slot."""
    test_round = get_round_for_user(user=request.user, pk=pk)
    can_plan = scope_for(request.user, Perm.TESTING_PLAN).contains(test_round.place_path)
    places = selectors.site_places(test_round)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = SiteForm(request.POST if action == "site" else None, places=places, prefix="site")
    if action and not can_plan:
        raise Http404
    try:
        if action == "site" and form.is_valid():
            data = form.cleaned_data
            site_create(
                actor=request.user,
                round_=test_round,
                data=SiteData(data["place"], data["name"], data["per_hour"], data["opens"], data["closes"]),
            )
            messages.success(request, _("Site added, with its order duty for the volunteers' roster."))
            return redirect("testing:sites", pk=test_round.pk)
        if action == "plan":
            plan = PlanForm(request.POST)
            site = (
                selectors.sites_of(test_round).filter(pk=plan.cleaned_data["site"]).first() if plan.is_valid() else None
            )
            if site is None:
                raise Http404
            slots = slots_plan(actor=request.user, site=site, buildings=selectors.buildings_to_plan(test_round))
            messages.success(request, _("%(n)d slots planned.") % {"n": len(slots)})
            return redirect("testing:sites", pk=test_round.pk)
        if action == "slot":
            change = SlotForm(request.POST)
            if not change.is_valid():
                messages.error(request, _("Give the slot's times as HH:MM."))
                return redirect("testing:sites", pk=test_round.pk)
            times = change.cleaned_data
            slot = selectors.slot_in_round(test_round, times["slot"])
            if slot is None:
                raise Http404
            slot_change(actor=request.user, slot=slot, starts=times["starts"], ends=times["ends"])
            messages.success(request, _("Slot changed."))
            return redirect("testing:sites", pk=test_round.pk)
    except ValidationError as error:
        if action == "site":
            form_errors(form, error)
        else:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "testing/sites.html",
        {
            "round": test_round,
            "sites": selectors.sites_of(test_round),
            "form": form if can_plan else None,
            "can_plan": can_plan,
        },
    )


@require_POST
@require_perm(Perm.TESTING_PLAN)
def notify(request: ScopedRequest, pk: int) -> HttpResponse:
    """Text every resident not yet sampled in one's part of the round: their building's slot and
    their own page."""
    test_round = get_round_for_user(user=request.user, pk=pk, perm=Perm.TESTING_PLAN)
    try:
        sent = round_notify(actor=request.user, round_=test_round, site_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d residents were sent their slot.") % {"n": sent})
    return redirect("testing:round", pk=test_round.pk)


@require_POST
@require_perm(Perm.CONTROL_SET)
def request_control(request: ScopedRequest, pk: int) -> HttpResponse:
    """Ask 管控 for a building with recalled residents, through the checkpoints' control levels
    (their rules: sealing would wait for a second person; 管控 takes effect at once)."""
    test_round = get_round_for_user(user=request.user, pk=pk, perm=Perm.CONTROL_SET)
    form = BuildingForm(request.POST)
    building = None
    if form.is_valid():
        wanted = form.cleaned_data["building"]
        building = next((b.place for b in selectors.recall_buildings(test_round) if b.place.pk == wanted), None)
    if building is None:
        raise Http404
    try:
        control_request(
            actor=request.user,
            place=building,
            level=ControlLevel.CONTROLLED,
            reason=_("%(round)s: residents recalled for a retest") % {"round": test_round.name},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(place)s is under control (管控) now.") % {"place": building.name})
    return redirect("testing:round", pk=test_round.pk)


@require_perm(Perm.TESTING_SAMPLE)
def building_notice_pdf(request: ScopedRequest, pk: int, place_id: int) -> HttpResponse:
    """The printable notice of one building: its site and slots, what to bring, the QR code of the
    building's page. For staff, building leads and volunteers of the building."""
    test_round = get_round_for_user(user=request.user, pk=pk)
    building = selectors.building_in_round(test_round, request.scope, place_id)
    if building is None:
        raise Http404
    address = street_addresses([building.path]).get(building.path, building.name)
    data = building_notice(
        test_round,
        building,
        address,
        selectors.building_slots(test_round, building),
        request.build_absolute_uri("/"),
        phone=selectors.duty_phone(building),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{test_round.pk}-{building.pk}.pdf"'
    return response


RESENDS_BY_ADDRESS = "testing-resend"
RESENDS_PER_HOUR = 10


@never_cache
@public
def building_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code on a building's notice opens, for anyone holding the paper: the round, the
    building's slots and what to bring, never a name. A resident who lost their text asks for their
    own link again; it goes only to a phone registered in the building, and the answer is the same
    whether or not the number is known."""
    found = read_building_token(token)
    if found is None:
        raise Http404
    test_round = Round.objects.filter(pk=found[0]).select_related("place").first()
    building = selectors.building_in_round(test_round, None, found[1]) if test_round else None
    if test_round is None or building is None:
        raise Http404
    form = PhoneForm(request.POST or None)
    asked = False
    if request.method == "POST":
        address = client_ip(request) or ""
        if rate_count(RESENDS_BY_ADDRESS, address) >= RESENDS_PER_HOUR:
            return HttpResponse(_("Too many tries; try again later."), status=429)
        rate_hit(RESENDS_BY_ADDRESS, address, window_seconds=3600)
        if form.is_valid():
            personal_link_resend(
                round_=test_round,
                building=building,
                phone=form.cleaned_data["phone"],
                site_url=request.build_absolute_uri("/"),
            )
            asked = True
            form = PhoneForm()
    return render(
        request,
        "testing/building.html",
        {
            "round": test_round,
            "address": street_addresses([building.path]).get(building.path, building.name),
            "slots": selectors.building_slots(test_round, building),
            "bring": bring_list(),
            "phone": selectors.duty_phone(building),
            "form": form,
            "asked": asked,
            "closed": test_round.status == RoundStatus.CLOSED,
        },
    )
