"""A worker's own gifts: a gift's page, theirs, their certificate and its public check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tongzhou.accounts.access import logged_in, public
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.welfare import documents, selectors
from tongzhou.welfare.services import (
    certificate_from_token,
    certificate_token,
    gift_request_decide,
)


@logged_in
def gift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gift = selectors.get_gift_for_user(user=request.user, pk=pk)
    can_decide = (
        gift.is_pending
        and gift.requested_by_id != request.user.pk
        and scope_for(request.user, Perm.WELFARE_APPROVE).contains(gift.place_path)
    )
    if request.method == "POST" and can_decide:
        try:
            gift_request_decide(
                actor=request.user,  # type: ignore[arg-type]
                gift=gift,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("welfare:gift", pk=gift.pk)
    return render(
        request,
        "welfare/gift.html",
        {
            "gift": gift,
            "picks": sorted((gift.facts or {}).values(), key=lambda f: f.get("name", "")),
            "can_decide": can_decide,
        },
    )


@logged_in
def mine(request: HttpRequest) -> HttpResponse:
    """A worker's own protection: their enrollments (certificate, file a claim) and claims."""
    return render(
        request,
        "welfare/mine.html",
        {"enrollments": selectors.my_enrollments(request.user), "claims": selectors.my_claims(request.user)},
    )


@logged_in
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("welfare:verify", args=[certificate_token(enrollment)]))
    response = HttpResponse(documents.certificate(enrollment, url), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return response


@public
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate's QR code: which plan, whose (masked), covered from when."""
    enrollment = certificate_from_token(token)
    if enrollment is None:
        return render(request, "welfare/verify.html", {"valid": False}, status=404)
    return render(
        request,
        "welfare/verify.html",
        {"valid": True, "enrollment": enrollment, "name": mask_name(enrollment.name)},
    )
