"""Publicity stories: the staff desk (write, photos, pseudonym check with one-click replacements,
consent, submit, approve) and the street's public page, no log-in."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.core.access import scope_of
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalState
from tongzhou.notices.models import Story, StoryPhoto, StoryStatus
from tongzhou.notices.stories import selectors, services
from tongzhou.notices.stories.forms import ConsentForm, PhotoForm, StoryForm
from tongzhou.notices.stories.permissions import STORIES_APPROVE, STORIES_WRITE
from tongzhou.notices.stories.pseudonyms import NAME_KINDS, check_story


@logged_in
def index(request: HttpRequest) -> HttpResponse:
    may_write = not scope_of(request.user, STORIES_WRITE).is_empty
    if not may_write and scope_of(request.user, STORIES_APPROVE).is_empty:
        raise Http404
    page = Paginator(selectors.stories_for_user(request.user), settings.TONGZHOU_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/stories/index.html",
        {
            "page_obj": page,
            "may_write": may_write,
            "approvals": list(selectors.story_approvals_waiting_for(request.user)[:20]),
        },
    )


def _form_page(request: ScopedRequest, story: Story | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if story is not None:
        initial = {"place": story.place_id, "title": story.title, "body": story.body}
    form = StoryForm(request.POST or None, initial=initial, places=selectors.places_for_stories(request.user))
    if request.method == "POST" and form.is_valid():
        draft = services.StoryDraft(
            place=form.cleaned_data["place"], title=form.cleaned_data["title"], body=form.cleaned_data["body"]
        )
        try:
            if story is None:
                story = services.story_create(actor=request.user, draft=draft)
            else:
                story = services.story_update(actor=request.user, story=story, draft=draft)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("stories:detail", story.pk)
    return render(request, "notices/stories/form.html", {"form": form, "story": story})


@require_perm(STORIES_WRITE)
def create(request: ScopedRequest) -> HttpResponse:
    return _form_page(request, None)


@require_perm(STORIES_WRITE)
def edit(request: ScopedRequest, pk: int) -> HttpResponse:
    story = selectors.get_story_for_user(user=request.user, pk=pk)
    if story.status != StoryStatus.DRAFT:
        raise Http404
    return _form_page(request, story)


def _act(request: ScopedRequest, story: Story, action: str) -> None:
    post = request.POST
    if action == "replace":
        services.story_replace(
            actor=request.user,
            story=story,
            kind=post.get("kind", ""),
            text=post.get("text", ""),
            pseudonym=post.get("pseudonym", ""),
            request=request,
        )
        messages.success(request, _("Replaced."))
    elif action == "consent":
        person = selectors.get_person_for_consent(user=request.user, pk=post.get("person"))
        services.naming_consent_record(actor=request.user, person=person, note=post.get("note", ""), request=request)
        messages.success(request, _("Consent recorded."))
    elif action == "withdraw_consent":
        consent = selectors.get_consent_for_user(user=request.user, pk=post.get("consent"))
        services.naming_consent_withdraw(actor=request.user, consent=consent, request=request)
        messages.success(request, _("Consent withdrawn."))
    elif action == "submit":
        services.story_submit(actor=request.user, story=story, request=request)
        messages.success(request, _("The story waits for a second person's approval."))
    elif action == "withdraw":
        services.story_withdraw(actor=request.user, story=story)
    elif action == "remove_photo":
        photo = selectors.get_photo_for_user(user=request.user, story=story, pk=post.get("photo"))
        services.story_photo_remove(actor=request.user, photo=photo)
    elif action in ("approve", "reject"):
        approval = story.approvals.filter(status=ApprovalState.PENDING).first()
        if approval is None:
            raise ValidationError(_("This was decided already."))
        services.story_approval_decide(
            actor=request.user, approval=approval, approve=action == "approve", note=post.get("note", "")
        )
        messages.success(request, _("Decided."))
    else:
        raise ValidationError(_("Unknown action."))


@logged_in
def detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A story with its photos; a draft with the pseudonym check's findings, their one-click
    replacements and consent; one waiting with the decision for a second person."""
    story = selectors.get_story_for_reader(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            _act(request, story, request.POST.get("action", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."))
        return redirect("stories:detail", story.pk)
    may_write = scope_of(request.user, STORIES_WRITE).contains(story.place_path)
    approval = story.approvals.filter(status=ApprovalState.PENDING).select_related("requested_by").first()
    may_decide = (
        approval is not None
        and approval.requested_by_id != request.user.pk
        and scope_of(request.user, STORIES_APPROVE).contains(approval.place_path)
    )
    # The author works through the findings on a draft; the approver sees them (read only) on a
    # story waiting for them: what passes by consent, and anything new since it was submitted.
    checked = (story.status == StoryStatus.DRAFT and may_write) or (story.status == StoryStatus.AWAITING and may_decide)
    findings = check_story(story) if checked else []
    named_ids = {pk for f in findings if f.kind in NAME_KINDS for pk in f.person_ids}
    people = selectors.people_named(named_ids, request.user) if named_ids and may_write else {}
    consents = selectors.consents_named(named_ids, request.user) if named_ids and may_write else {}
    rows = [
        (f, [people[i] for i in f.person_ids if i in people], [c for i in f.person_ids for c in consents.get(i, [])])
        for f in findings
    ]
    return render(
        request,
        "notices/stories/detail.html",
        {
            "story": story,
            "photos": selectors.photos_of(story),
            "findings": rows,
            "left": sum(1 for f in findings if not f.resolved),
            "may_write": may_write,
            "approval": approval,
            "may_decide": may_decide,
            "consent_form": ConsentForm(),
        },
    )


@require_perm(STORIES_WRITE)
def photos(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a photo with its photographer to a draft."""
    story = selectors.get_story_for_user(user=request.user, pk=pk)
    if story.status != StoryStatus.DRAFT:
        raise Http404
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.story_photo_add(
                actor=request.user,
                story=story,
                upload=form.cleaned_data["image"],
                credit=form.cleaned_data["credit"],
                caption=form.cleaned_data.get("caption") or "",
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Photo added."))
            return redirect("stories:detail", story.pk)
    return render(
        request, "notices/stories/photos.html", {"story": story, "form": form, "photos": selectors.photos_of(story)}
    )


def _image(photo: StoryPhoto) -> FileResponse:
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@logged_in
@require_GET
def photo(request: ScopedRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    story = selectors.get_story_for_reader(user=request.user, pk=pk)
    response = _image(selectors.get_photo_for_user(user=request.user, story=story, pk=photo_pk))
    response["Cache-Control"] = "private, no-store"
    return response


@require_perm(Perm.VOLUNTEER_SELF)
def my_consent(request: ScopedRequest) -> HttpResponse:
    """A volunteer agrees (or no longer agrees) to be named in stories of the response."""
    volunteer = selectors.own_volunteer(request.user)
    if volunteer is None:
        raise Http404
    if request.method == "POST":
        services.naming_consent_own(
            actor=request.user, give=request.POST.get("give") == "1", note=request.POST.get("note", "")
        )
        messages.success(request, _("Saved."))
        return redirect("stories:my_consent")
    return render(
        request,
        "notices/stories/my_consent.html",
        {"volunteer": volunteer, "consents": selectors.own_consents(volunteer)},
    )


# The public pages of a street: published stories only, no log-in.


@public
@require_GET
def street(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.street_by_code(code)
    page = Paginator(selectors.published_stories(place), 20).get_page(request.GET.get("page"))
    return render(request, "notices/stories/street.html", {"street": place, "page_obj": page})


@public
@require_GET
def public_story(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    place = selectors.street_by_code(code)
    story = selectors.published_story(place, pk)
    return render(
        request,
        "notices/stories/public.html",
        {"street": place, "story": story, "photos": selectors.photos_of(story)},
    )


@public
@require_GET
def public_photo(request: HttpRequest, code: str, pk: int, photo_pk: int) -> HttpResponseBase:
    place = selectors.street_by_code(code)
    return _image(selectors.published_photo(place, pk, photo_pk))
