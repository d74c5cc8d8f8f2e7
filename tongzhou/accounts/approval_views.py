"""The one "waiting for my approval" page: every kind of four-eyes request the user may decide
(`core.transitions.waiting_for`), each request's own page (the link in the message asking for a
decision) and its decision, through the kind's decide service."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.access import logged_in
from tongzhou.core.transitions import MAX_NOTE, get_approval_for_user, may_decide_any, waiting_for


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)


@logged_in
def approval_list(request: HttpRequest) -> HttpResponse:
    if not may_decide_any(request.user):
        raise Http404
    return render(request, "accounts/approvals.html", {"waiting": waiting_for(request.user)})


@logged_in
def approval_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = get_approval_for_user(user=request.user, key=kind, pk=pk)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose approve or reject."))
            return redirect("approvals:detail", kind=kind, pk=item.obj.pk)
        try:
            item.kind.decide(
                actor=request.user,
                obj=item.obj,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not decide this."))
            return redirect("approvals:detail", kind=kind, pk=item.obj.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("approvals:detail", kind=kind, pk=item.obj.pk)
        messages.success(request, _("Decided."))
        return redirect("approvals:list")
    return render(
        request,
        "accounts/approval.html",
        {
            "item": item,
            "own": item.obj.requested_by_id == request.user.pk,
            "form": DecisionForm(),
        },
    )
