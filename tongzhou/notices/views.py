"""Notices (write, count, send, approve, reach, door-to-door list, door notices), the one message
log of every module, and the gateway's delivery receipts. Phone first."""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.core.access import id_or_404, scope_of
from tongzhou.core.forms import form_errors
from tongzhou.core.outbox import dispatch
from tongzhou.core.outbox.models import MessageStatus
from tongzhou.core.permissions import Perm
from tongzhou.core.ratelimit import rate_count, rate_hit
from tongzhou.core.services import client_ip
from tongzhou.core.transitions import ApprovalState
from tongzhou.notices import selectors, services
from tongzhou.notices.documents import door_notices
from tongzhou.notices.forms import AcknowledgeForm, AttachmentForm, NoticeForm
from tongzhou.notices.links import notice_url, read_token
from tongzhou.notices.models import Audience, Notice, NoticeStatus
from tongzhou.people.models import Tag

ACKS_BY_ADDRESS = "notice-ack"
ACKS_PER_HOUR = 30


# The message log: every module's messages, masked, in the user's places.
@require_perm(Perm.MESSAGES_VIEW)
def message_log(request: ScopedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    rows = selectors.messages_for_user(request.user, status=status)
    page = Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/message_log.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": MessageStatus.choices,
            "query_prefix": f"status={status}&" if status else "",
            "demo_outbox": selectors.may_read_demo_outbox(request.user, settings.TONGZHOU_DEMO),
        },
    )


@public
@csrf_exempt  # the gateway posts it; the HMAC signature is its proof
@require_POST
def receipt(request: HttpRequest) -> HttpResponse:
    """A delivery receipt from the SMS gateway: JSON {key or id, status: delivered|failed, error},
    signed with TONGZHOU_SMS_RECEIPT_KEY in X-Tongzhou-Signature. Unsigned or forged: 403."""
    body = request.body
    if not dispatch.receipt_is_genuine(body, request.headers.get("X-Tongzhou-Signature", "")):
        return HttpResponseForbidden("bad signature")
    try:
        data = json.loads(body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    if not isinstance(data, dict) or data.get("status") not in ("delivered", "failed"):
        return JsonResponse({"error": "status must be delivered or failed"}, status=400)
    changed = dispatch.receipt_apply(
        key=str(data.get("key") or "")[:64],
        provider_id=str(data.get("id") or "")[:100],
        delivered=data["status"] == "delivered",
        error=str(data.get("error") or "")[:500],
    )
    return JsonResponse({"changed": changed})


# Notices.


@logged_in
def index(request: HttpRequest) -> HttpResponse:
    """Notices in the user's places; for building leads, the notices with households to visit."""
    may_send = not scope_of(request.user, Perm.NOTICES_SEND).is_empty
    may_approve = not scope_of(request.user, Perm.NOTICES_APPROVE).is_empty
    visit = scope_of(request.user, Perm.NOTICES_VISIT)
    if not may_send and not may_approve and visit.is_empty:
        raise Http404
    rows = selectors.notices_for_user(request.user) if may_send else selectors.notices_to_visit(request.user)
    page = Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/index.html",
        {
            "page_obj": page,
            "may_send": may_send,
            "approvals": list(selectors.approvals_waiting_for(request.user)[:20]),
        },
    )


def _draft(form: NoticeForm) -> services.NoticeDraft:
    data = form.cleaned_data
    ref = data.get("audience_ref") or ""
    if data["audience"] == Audience.VOLUNTEERS:
        ref = str(data["team"].pk) if data.get("team") else ""
    return services.NoticeDraft(
        place=data["place"],
        title=data["title"],
        body=data["body"],
        valid_from=data["valid_from"],
        valid_to=data.get("valid_to"),
        audience=data["audience"],
        audience_ref=ref,
    )


def _notice_form_page(request: ScopedRequest, *, supersedes: Notice | None) -> HttpResponse:
    places = selectors.places_for_notices(request.user)
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    if supersedes is not None:
        initial.update(
            place=supersedes.place_id,
            title=supersedes.title,
            body=supersedes.body,
            valid_to=supersedes.valid_to,
            audience=supersedes.audience,
            audience_ref=supersedes.audience_ref if supersedes.audience == Audience.TAG else "",
            team=supersedes.audience_ref if supersedes.audience == Audience.VOLUNTEERS else None,
        )
    elif request.GET.get("place"):
        initial["place"] = request.GET["place"]
    form = NoticeForm(
        request.POST or None, initial=initial, places=places, teams=selectors.teams_for_notices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.user, draft=_draft(form), supersedes=supersedes, request=request
            )
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("notices:detail", notice.pk)
    return render(request, "notices/form.html", {"form": form, "supersedes": supersedes})


@require_perm(Perm.NOTICES_SEND)
def create(request: ScopedRequest) -> HttpResponse:
    return _notice_form_page(request, supersedes=None)


@require_perm(Perm.NOTICES_SEND)
def new_version(request: ScopedRequest, pk: int) -> HttpResponse:
    notice = selectors.get_notice_for_user(user=request.user, pk=pk)
    if notice.status != NoticeStatus.SENT or hasattr(notice, "superseded_by"):
        raise Http404
    return _notice_form_page(request, supersedes=notice)


@logged_in
def detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A notice: a draft with the count it would reach and its send button, one waiting for
    approval with the decision for a second person, a sent one with its reach per building. Those
    who write notices in its place, or approve them there, open it."""
    try:
        notice = selectors.get_notice_for_user(user=request.user, pk=pk)
    except Http404:
        notice = selectors.get_notice_for_user(user=request.user, pk=pk, perm=Perm.NOTICES_APPROVE)
    approval = notice.approvals.filter(status=ApprovalState.PENDING).select_related("requested_by").first()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "send":
                notice = services.notice_send(
                    actor=request.user, notice=notice, site_url=request.build_absolute_uri("/"), request=request
                )
                messages.success(
                    request,
                    _("Sent to %(n)d people.") % {"n": notice.recipient_count}
                    if notice.status == NoticeStatus.SENT
                    else _("The notice waits for a second person's approval."),
                )
            elif action == "attach":
                form = AttachmentForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(list(form.errors["file"]))
                upload = form.cleaned_data["file"]
                if upload.size > services.MAX_ATTACHMENT_BYTES:
                    raise ValidationError(_("The file is larger than 10 MB."))
                services.notice_attach(
                    actor=request.user, notice=notice, name=upload.name, data=upload.read(), request=request
                )
                messages.success(request, _("File attached."))
            elif action == "remove_attachment":
                attachment = notice.attachments.filter(pk=id_or_404(request.POST.get("attachment"))).first()
                if attachment is None:
                    raise Http404
                services.notice_attachment_remove(actor=request.user, attachment=attachment, request=request)
                messages.success(request, _("File removed."))
            elif action in ("approve", "reject") and approval is not None:
                services.notice_approval_decide(
                    actor=request.user,
                    approval=approval,
                    approve=action == "approve",
                    note=request.POST.get("note", ""),
                    site_url=request.build_absolute_uri("/"),
                )
                messages.success(request, _("Decided."))
            else:
                return HttpResponse(_("Unknown action."), status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."))
        return redirect("notices:detail", notice.pk)
    context: dict[str, Any] = {"notice": notice, "approval": approval, "audience_detail": _audience_detail(notice)}
    context["attachments"] = list(notice.attachments.all())
    if notice.status == NoticeStatus.DRAFT:
        context["attachment_form"] = AttachmentForm()
        context["count"] = services.audience_count(notice)
        context["needs_approval"] = services.needs_approval(notice)
    if notice.status == NoticeStatus.SENT:
        context["report"], context["totals"] = selectors.reach_report(notice)
        context["online_url"] = notice_url(notice)
    context["may_decide"] = (
        approval is not None
        and approval.requested_by_id != request.user.pk
        and scope_of(request.user, Perm.NOTICES_APPROVE).contains(approval.place_path)
    )
    return render(request, "notices/detail.html", context)


def _audience_detail(notice: Notice) -> str:
    """The tag's label or the team's name the audience is narrowed to ('' when none)."""
    if notice.audience == Audience.TAG:
        return str(dict(Tag.choices).get(notice.audience_ref, notice.audience_ref))
    team = selectors.audience_team(notice)
    return team.name if team else ""


@require_perm(Perm.NOTICES_VISIT)
def doors(request: ScopedRequest, pk: int) -> HttpResponse:
    """The door-to-door list: households of the notice that no message reached, in the user's
    area, ticked as they are visited."""
    notice = selectors.get_notice_for_visitor(user=request.user, pk=pk)
    if request.method == "POST":
        reach = selectors.get_reach_for_user(user=request.user, pk=request.POST.get("reach"))
        if reach.notice_id != notice.pk:
            raise Http404
        services.reach_visit(
            actor=request.user, reach=reach, visited=request.POST.get("visited") != "0", request=request
        )
        return redirect("notices:doors", notice.pk)
    rows = selectors.door_list(notice, request.user)
    return render(
        request,
        "notices/doors.html",
        {"notice": notice, "rows": rows, "left": sum(1 for _r, state in rows if state != selectors.ACKNOWLEDGED)},
    )


@require_perm(Perm.NOTICES_SEND)
def door_pdf(request: ScopedRequest, pk: int) -> HttpResponse:
    """Door notices of a sent notice: one page per building it reached (in the user's places)."""
    notice = selectors.get_notice_for_user(user=request.user, pk=pk)
    if notice.status != NoticeStatus.SENT:
        raise Http404
    buildings = selectors.buildings_reached(notice) or [notice.place]
    pdf = door_notices(notice, buildings, request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


def _attachment_response(notice: Notice, attachment_pk: int) -> FileResponse:
    attachment = notice.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(False, attachment.name) or "inline"
    return response


@logged_in
def attachment(request: ScopedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a notice, to those who may open the notice (404 otherwise)."""
    try:
        notice = selectors.get_notice_for_user(user=request.user, pk=pk)
    except Http404:
        notice = selectors.get_notice_for_user(user=request.user, pk=pk, perm=Perm.NOTICES_APPROVE)
    return _attachment_response(notice, attachment_pk)


# The public, signed online version.


@public
def public_notice(request: HttpRequest, token: str) -> HttpResponse:
    """The notice as issued (who, when), "superseded" when a newer version exists; from a door
    notice, a household of that building acknowledges it (rate-limited by address)."""
    found = read_token(token)
    if found is None:
        raise Http404
    notice = selectors.sent_notice(found[0])
    if notice is None:
        raise Http404
    building_id = found[1]
    newer = selectors.newer_version(notice)
    form = None
    done = False
    if building_id:
        rooms = selectors.rooms_of(notice, building_id)
        form = AcknowledgeForm(request.POST if request.method == "POST" else None, rooms=rooms)
        if request.method == "POST":
            address = client_ip(request) or ""
            if rate_count(ACKS_BY_ADDRESS, address) >= ACKS_PER_HOUR:
                return HttpResponse(_("Too many tries; try again later."), status=429)
            rate_hit(ACKS_BY_ADDRESS, address, window_seconds=3600)
            if form.is_valid():
                services.reach_acknowledge(notice=notice, household_id=form.cleaned_data["household"])
                done = True
    return render(
        request,
        "notices/public.html",
        {
            "notice": notice,
            "newer": newer,
            "newer_url": notice_url(newer, "", building_id) if newer else "",
            "older_url": notice_url(notice.supersedes, "", building_id) if notice.supersedes else "",
            "form": form,
            "done": done,
            "token": token,
            "attachments": list(notice.attachments.all()),
        },
    )


@public
def public_attachment(request: HttpRequest, token: str, attachment_pk: int) -> FileResponse:
    """A file of a sent notice, through the notice's signed link."""
    found = read_token(token)
    notice = selectors.sent_notice(found[0]) if found else None
    if notice is None:
        raise Http404
    return _attachment_response(notice, attachment_pk)
