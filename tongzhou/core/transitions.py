"""Status transitions and four-eyes decisions: one mechanism for every app.

A model whose status moves inherits `Transitional`: it declares `TRANSITIONS` (each status and the
statuses it may move to) and `HISTORY`, its history model ("app_label.Model"), which inherits
`StatusHistory` and names its foreign key to the subject in `SUBJECT_FIELD`. `move()` changes the
status with compare-and-set (an UPDATE that matches only while the row still has the status the
caller saw) and writes the history row in the same transaction; `record()` writes a history row
for a change that keeps the status (an order extended).

A change that needs a second person is a row of a model inheriting `ApprovalRequest`. `decide()`
locks it, refuses its requester, decides it exactly once, calls the domain's apply step on approval
and writes the audit event.

Domain-free: the domain passes its permission, place path, apply step and audit action.

Every kind of request is declared once (`register_approval_kind`, in its app's ready()), so one
page lists what waits for a person's decision (`waiting_for`, `waiting_count`) whatever the app,
and the message asking for a decision links to the request (`approvers_notify`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.core.access import get_for_user, require, scope_of
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log

Label = str | Promise

MAX_NOTE = 2000


class ApprovalState(models.TextChoices):
    """The one spelling of a four-eyes request's state."""

    PENDING = "pending", gettext_lazy("Waiting for approval")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")


class TransitionError(ValidationError):
    """A move or decision that cannot be made; a ValidationError, so forms and views show it."""


class MoveNotAllowed(TransitionError):
    """The move is not in the model's transition table."""


class MovedMeanwhile(TransitionError):
    """The row's status changed between reading it and moving it: someone else acted first."""


class AlreadyDecided(TransitionError):
    """The request was approved or rejected already."""


class OwnRequest(PermissionDenied):
    """The requester tried to decide their own request."""


class Transitional(models.Model):
    """A model whose status moves only along `TRANSITIONS`, each move a row of `HISTORY`."""

    TRANSITIONS: ClassVar[Mapping[str, frozenset[str]]] = {}
    HISTORY: ClassVar[str] = ""
    STATUS_FIELD: ClassVar[str] = "status"

    class Meta:
        abstract = True

    def can_move(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(getattr(self, self.STATUS_FIELD), frozenset())


class StatusHistory(models.Model):
    """One row of an append-only status history: who, when, from, to, why, on what evidence.

    Apps may redeclare `from_status`/`to_status` with their status choices. Written by `move()` and
    `record()` only."""

    SUBJECT_FIELD: ClassVar[str] = ""

    created_at = models.DateTimeField(gettext_lazy("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(gettext_lazy("from"), max_length=20, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=20, blank=True)
    reason = models.TextField(gettext_lazy("reason"), blank=True)
    evidence = models.TextField(gettext_lazy("evidence"), blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class ApprovalRequest(models.Model):
    """A change that waits for a second person. Decided through `decide()` only; `requested_at`
    is the row's creation time (the inheriting model is a TimeStampedModel)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(gettext_lazy("decided at"), null=True, blank=True)
    decision_note = models.TextField(gettext_lazy("decision note"), blank=True)

    class Meta:
        abstract = True

    @property
    def requested_at(self) -> Any:
        return getattr(self, "created_at", None)

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalState.PENDING


T = TypeVar("T", bound=Transitional)
R = TypeVar("R", bound=ApprovalRequest)


def _label(obj: models.Model, field: str, value: str) -> str:
    return str(dict(obj._meta.get_field(field).flatchoices).get(value, value))  # type: ignore[union-attr]


def check_move(obj: Transitional, to: str) -> None:
    """Raises MoveNotAllowed unless the table lets `obj` move from its current status to `to`."""
    if not obj.can_move(to):
        field = obj.STATUS_FIELD
        raise MoveNotAllowed(
            _("“%(old)s” cannot become “%(new)s”.")
            % {"old": _label(obj, field, getattr(obj, field)), "new": _label(obj, field, to)}
        )


def record(
    obj: Transitional,
    *,
    from_status: str,
    to_status: str,
    actor: Any,
    reason: str = "",
    evidence: str = "",
    **extra: Any,
) -> StatusHistory:
    """Write one history row of `obj` (joins the caller's transaction). `extra` fills the history
    model's own columns (an order event's action, a help event's actor name)."""
    history: type[StatusHistory] = apps.get_model(obj.HISTORY)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return history._default_manager.create(
        **{history.SUBJECT_FIELD: obj},
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        evidence=evidence,
        **extra,
    )


def move(
    obj: T,
    *,
    to: str,
    actor: Any,
    reason: str = "",
    evidence: str = "",
    changes: Mapping[str, Any] | None = None,
    allow_stay: bool = False,
    **extra: Any,
) -> T:
    """Move `obj` to status `to` and write its history row, atomically.

    The UPDATE matches only while the row still has the status `obj` was read with, so of two
    people moving the same row at once exactly one succeeds; the other gets MovedMeanwhile and
    nothing is written. A move not in the table raises MoveNotAllowed; with `allow_stay`, `to` may
    also be the current status (a change of other columns under the same status, such as a
    reassignment, recorded the same way). `changes` are other columns set by the same UPDATE
    (F() expressions allowed); `extra` goes to the history row. Returns `obj` refreshed from the
    database."""
    model = type(obj)
    field = obj.STATUS_FIELD
    old = getattr(obj, field)
    if not (allow_stay and to == old):
        check_move(obj, to)
    values = {**(changes or {}), field: to}
    try:
        model._meta.get_field("updated_at")
        values.setdefault("updated_at", timezone.now())
    except FieldDoesNotExist:
        pass
    with transaction.atomic():
        if not model._default_manager.filter(pk=obj.pk, **{field: old}).update(**values):
            raise MovedMeanwhile(_("This changed meanwhile; look again."))
        obj.refresh_from_db()
        record(obj, from_status=old, to_status=to, actor=actor, reason=reason, evidence=evidence, **extra)
    return obj


def decide(
    request_obj: R,
    *,
    actor: Any,
    approve: bool,
    perm: Perm,
    path: str,
    note: str = "",
    apply: Callable[[R], None] | None = None,
    check: Callable[[R], None] | None = None,
    audit_action: Any = None,
    audit_obj: models.Model | None = None,
    audit_details: Mapping[str, Any] | None = None,
) -> R:
    """The second person approves or rejects `request_obj`, atomically.

    Locks the request row, requires `perm` at `path` (PermissionDenied), refuses the requester
    (OwnRequest, a PermissionDenied), refuses a request decided already (AlreadyDecided), runs the
    domain's `check`, writes the decision (status, decided_by, decided_at, decision note), calls
    `apply` on approval and writes the audit event (`audit_action` on `audit_obj`, default the
    request). Returns the locked, decided request."""
    model = type(request_obj)
    with transaction.atomic():
        try:
            locked = model._default_manager.select_for_update().get(pk=request_obj.pk)
        except model.DoesNotExist:
            # An approval whose apply step removed the request (a dropped shift takes its request
            # with it) leaves nothing to decide.
            raise AlreadyDecided(_("This was decided already.")) from None
        require(actor, perm, path)
        if locked.requested_by_id == actor.pk:
            raise OwnRequest(_("A second person must decide a request you made."))
        if locked.status != ApprovalState.PENDING:
            raise AlreadyDecided(_("This was decided already."))
        if check is not None:
            check(locked)
        locked.status = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()[:MAX_NOTE]
        fields = ["status", "decided_by", "decided_at", "decision_note"]
        try:
            model._meta.get_field("updated_at")
            fields.append("updated_at")
        except FieldDoesNotExist:
            pass
        locked.save(update_fields=fields)
        if approve and apply is not None:
            apply(locked)
        if audit_action is not None:
            audit_log(
                action=audit_action,
                actor=actor,
                obj=audit_obj if audit_obj is not None else locked,
                place_path=path,
                details={"request": locked.pk, "decision": locked.status, **(audit_details or {})},
            )
    return locked


# The queue: every kind of four-eyes request, one "waiting for my approval" page and count.


@dataclass(frozen=True)
class ApprovalKind:
    """One kind of four-eyes request, declared by its app in AppConfig.ready() (`register_approval_kind`).

    `key` names the kind in addresses (never changes); `model` is "app_label.Model" (an
    ApprovalRequest); a request waits for whoever holds `perm` over the place found at `path_field`
    (a lookup from the request, such as "order__place_path"). `decide(actor=, obj=, approve=,
    note=)` is the app's decide service; `describe(obj)` one line saying what is asked, and
    `url(obj)` the app's page of the thing the request is about."""

    key: str
    label: Label
    model: str
    perm: Perm
    path_field: str
    decide: Callable[..., Any]
    describe: Callable[[Any], str]
    url: Callable[[Any], str] | None = None
    select_related: tuple[str, ...] = ()

    def queryset(self) -> models.QuerySet[Any]:
        rows = apps.get_model(self.model)._default_manager.all()
        return rows.select_related("requested_by", *self.select_related)


_APPROVAL_KINDS: dict[str, ApprovalKind] = {}


def register_approval_kind(*kinds: ApprovalKind) -> None:
    """Declare kinds; the same kind again is harmless, another kind under a taken key is an error."""
    for kind in kinds:
        known = _APPROVAL_KINDS.get(kind.key)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"Two approval kinds are declared with the key {kind.key!r}.")
        _APPROVAL_KINDS[kind.key] = kind


def approval_kinds() -> list[ApprovalKind]:
    return list(_APPROVAL_KINDS.values())


def approval_kind(key: str) -> ApprovalKind | None:
    return _APPROVAL_KINDS.get(key)


@dataclass(frozen=True)
class Waiting:
    """One request waiting for the user's decision, as the queue shows it."""

    kind: ApprovalKind
    obj: Any

    @property
    def anchor(self) -> str:
        return f"{self.kind.key}-{self.obj.pk}"

    @property
    def summary(self) -> str:
        return self.kind.describe(self.obj)

    @property
    def subject_url(self) -> str:
        return self.kind.url(self.obj) if self.kind.url is not None else ""


def _waiting_rows(kind: ApprovalKind, actor: Any) -> models.QuerySet[Any] | None:
    scope = scope_of(actor, kind.perm)
    if scope.is_empty:
        return None
    return (
        kind.queryset().filter(scope.q(kind.path_field), status=ApprovalState.PENDING).exclude(requested_by_id=actor.pk)
    )


def may_decide_any(actor: Any) -> bool:
    """Whether `actor` holds the deciding permission of some kind anywhere (the menu entry)."""
    return any(not scope_of(actor, kind.perm).is_empty for kind in _APPROVAL_KINDS.values())


def waiting_for(actor: Any, *, limit: int = 200) -> list[Waiting]:
    """Requests of every kind that `actor` may decide: pending, at places where they hold the
    kind's permission, and not asked by themselves; oldest first, at most `limit` of each kind.
    One query per kind the actor may decide."""
    waiting: list[Waiting] = []
    for kind in _APPROVAL_KINDS.values():
        rows = _waiting_rows(kind, actor)
        if rows is not None:
            waiting += [Waiting(kind, obj) for obj in rows.order_by("created_at", "pk")[:limit]]
    return sorted(waiting, key=lambda w: w.obj.created_at)


def waiting_count(actor: Any) -> int:
    """How many requests wait for `actor`'s decision (the same rows as `waiting_for`), in one
    query whatever the number of kinds (it is on every page, in the menu)."""
    parts = [
        rows.order_by().values_list("pk")
        for kind in _APPROVAL_KINDS.values()
        if (rows := _waiting_rows(kind, actor)) is not None
    ]
    if not parts:
        return 0
    return parts[0].union(*parts[1:], all=True).count() if len(parts) > 1 else parts[0].count()


def get_approval_for_user(*, user: Any, key: str, pk: Any) -> Waiting:
    """The request `pk` of kind `key` if it lies where `user` holds the kind's deciding
    permission (pending or decided, the user's own too: the page says so), else Http404."""
    kind = _APPROVAL_KINDS.get(key)
    if kind is None:
        raise Http404
    return Waiting(kind, get_for_user(kind.queryset(), user=user, pk=pk, perm=kind.perm, path_field=kind.path_field))


def approval_url(kind_key: str, pk: int) -> str:
    """The absolute address of one request's page, for the message that asks for a decision
    (TONGZHOU_SITE_URL, the address people reach the site at)."""
    return settings.TONGZHOU_SITE_URL.rstrip("/") + reverse("approvals:detail", args=[kind_key, pk])


def approvers_notify(
    *,
    request_obj: ApprovalRequest,
    kind_key: str,
    users: Iterable[Any],
    text: Any,
    params: Mapping[str, Any] | None = None,
) -> None:
    """Tells each of `users` (but the requester) with a phone that `request_obj` waits for their
    decision: `text` (a lazy translation, `% params`, in the site's language) and the request's
    absolute link."""
    link = approval_url(kind_key, request_obj.pk)
    with translation.override(settings.LANGUAGE_CODE):
        said = str(text) % {key: str(value) for key, value in params.items()} if params else str(text)
        message = f"{said} {link}"
        for user in users:
            if user.pk != request_obj.requested_by_id and getattr(user, "phone", ""):
                send_message(to=user.phone, text=message)
