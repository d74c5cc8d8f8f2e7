"""What a resident sees through their personal link: one token (`person_from_link`) opens their
record, their isolation and daily check-in, and their help requests. Every page answers 404 to a
forged or expired token."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tongzhou.accounts.access import public
from tongzhou.accounts.selectors import actors_as_residents_read_them
from tongzhou.assistance.forms import FeedbackForm, PurchaseReceivedForm, ResidentRequestForm
from tongzhou.assistance.models import HelpRequest, Source
from tongzhou.assistance.selectors import events_of, purchases_of, requests_of_person
from tongzhou.assistance.services import (
    HelpData,
    help_request_confirm,
    help_request_create,
    help_request_feedback,
    purchase_received,
)
from tongzhou.core.forms import form_errors
from tongzhou.core.pii import mask_id_number, mask_phone
from tongzhou.monitoring.forms import CheckForm
from tongzhou.monitoring.models import CheckMethod
from tongzhou.monitoring.selectors import active_order_of, is_key_person, orders_of_person
from tongzhou.monitoring.services import CheckData, check_record
from tongzhou.notices.selectors import notices_of_household
from tongzhou.notices.services import reach_acknowledge
from tongzhou.people.models import Person
from tongzhou.people.selectors import addresses, person_history
from tongzhou.people.services import person_from_link
from tongzhou.supplies.distribution_selectors import parcels_of_household
from tongzhou.supplies.distribution_services import household_confirm
from tongzhou.testing.selectors import rounds_of_person


def _resident(token: str) -> Person:
    person = person_from_link(token)
    if person is None:
        raise Http404
    return person


@never_cache
@public
def record(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's record and who viewed or changed it."""
    person = person_from_link(token)
    if person is None:
        return render(request, "portal/record.html", {"invalid": True}, status=404)
    return render(
        request,
        "portal/record.html",
        {
            "person": person,
            "address": addresses([person])[person.pk],
            "masked_id": mask_id_number(person.id_number),
            "masked_phone": mask_phone(person.phone) if person.phone else "",
            "token": token,
            "isolated": is_key_person(person),
            "history": actors_as_residents_read_them(list(person_history(person)[:200])),
        },
    )


@never_cache
@public
def isolation(request: HttpRequest, token: str) -> HttpResponse:
    """The resident under isolation: their orders and history, and the daily self check-in."""
    person = _resident(token)
    order = active_order_of(person)
    form = CheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if order is None:
            raise Http404
        if form.is_valid():
            try:
                check_record(
                    actor=None,
                    order=order,
                    person=person,
                    data=CheckData(**form.cleaned_data),
                    method=CheckMethod.SELF,
                    request=request,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Thank you: your check-in was recorded."))
                return redirect("portal:isolation", token=token)
    return render(
        request,
        "monitoring/mine.html",
        {"person": person, "order": order, "orders": orders_of_person(person), "form": form, "token": token},
    )


@never_cache
@public
def help_requests(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's own requests, and a form to ask for help."""
    person = person_from_link(token)
    if person is None:
        return render(request, "portal/record.html", {"invalid": True}, status=404)
    form = ResidentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            help_request = help_request_create(
                actor=None,
                data=HelpData(
                    category=form.cleaned_data["category"],
                    urgency=form.cleaned_data["urgency"],
                    summary=form.cleaned_data["summary"],
                    person=person,
                ),
                source=Source.LINK,
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, _("Your request #%(n)s was sent. The committee will contact you.") % {"n": help_request.pk}
            )
            return redirect("portal:help", token=token)
    return render(
        request,
        "assistance/mine.html",
        {"person": person, "token": token, "form": form, "requests": requests_of_person(person)[:50]},
    )


@never_cache
@public
def help_request(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """One of the resident's requests: confirm it is done, mark a purchase received, give feedback."""
    person = _resident(token)
    help_request = get_object_or_404(HelpRequest.objects.select_related("assignee"), pk=pk, person=person)
    feedback = FeedbackForm(request.POST if request.method == "POST" and "rating" in request.POST else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                help_request_confirm(person=person, help_request=help_request)
                messages.success(request, _("Thank you for confirming."))
            elif request.POST.get("action") == "received":
                received = PurchaseReceivedForm(request.POST, help_request=help_request)
                if not received.is_valid():
                    raise Http404  # no purchase of this request: as before, whatever the junk
                purchase_received(person=person, purchase=received.cleaned_data["purchase"])
                messages.success(request, _("Thank you: marked as received."))
            elif feedback.is_valid():
                help_request_feedback(
                    person=person,
                    help_request=help_request,
                    rating=feedback.cleaned_data["rating"],
                    comment=feedback.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you for your feedback."))
            else:
                raise ValidationError(_("Choose 1 to 5 stars."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:help_request", token=token, pk=pk)
    return render(
        request,
        "assistance/mine_detail.html",
        {
            "person": person,
            "token": token,
            "r": help_request,
            "events": events_of(help_request),
            "purchases": purchases_of(help_request),
            "feedback": FeedbackForm(),
            "helper": help_request.assignee.display_name if help_request.assignee else "",
        },
    )


@never_cache
@public
def testing(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's testing rounds: whether their sample was taken, their own result when it is
    in, and "stay at home for a retest" when recalled."""
    person = _resident(token)
    return render(
        request, "portal/testing.html", {"person": person, "token": token, "rounds": rounds_of_person(person)}
    )


@never_cache
@public
def notices(request: HttpRequest, token: str) -> HttpResponse:
    """The notices sent to the resident's household that are in effect, "superseded" on those a
    newer version replaced; "We have read it" acknowledges one for the household, as the door
    notice's QR does."""
    person = _resident(token)
    if request.method == "POST":
        reach = next(
            (r for r in notices_of_household(person.household_id) if str(r.notice_id) == request.POST.get("notice")),
            None,
        )
        if reach is None:
            raise Http404
        reach_acknowledge(notice=reach.notice, household_id=person.household_id)
        messages.success(request, _("Thank you: your household has acknowledged this notice."))
        return redirect("portal:notices", token)
    return render(
        request,
        "portal/notices.html",
        {"person": person, "token": token, "rows": notices_of_household(person.household_id)},
    )


@never_cache
@public
def parcels(request: HttpRequest, token: str) -> HttpResponse:
    """The parcels of the resident's household (household distributions in a sealed place), with
    what each holds; "Received" confirms one for the household (only their own household's)."""
    person = _resident(token)
    rows = parcels_of_household(person.household_id)
    if request.method == "POST":
        row = next((r for r, _parcel in rows if str(r.pk) == request.POST.get("parcel")), None)
        if row is None:
            raise Http404
        try:
            household_confirm(row=row, household_id=person.household_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your household's parcel is confirmed."))
        return redirect("portal:parcels", token)
    return render(request, "portal/parcels.html", {"person": person, "token": token, "rows": rows})
