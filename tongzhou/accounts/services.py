import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.accounts.models import ApiToken, RoleAssignment, User
from tongzhou.accounts.selectors import rank_at, scope_for, user_roles
from tongzhou.core.access import require
from tongzhou.core.permissions import ADMIN_ROLES, RESERVED_ROLES, ROLE_PERMS, ROLE_RANK, SELF_PERMS, Perm, Role
from tongzhou.core.scope import is_within
from tongzhou.core.services import audit_log
from tongzhou.core.tokens import token_digest
from tongzhou.places.models import Place

NO_ACCOUNT_TO_ADD = gettext_lazy("No account you may add has this username. To make a new account, give a password.")


class GrantRefused(PermissionDenied):
    pass


def _refuse_grant(
    *, actor: User, user: User | None, role: str, place: Place, reason: str, request: HttpRequest | None
) -> None:
    # Callers check before opening the grant's transaction, so the refusal stays in the log.
    audit_log(
        action=AccountsAudit.ROLE_GRANT_REFUSED,
        actor=actor,
        obj=user,
        place_path=place.path,
        request=request,
        details={"role": role, "place": place.name, "reason": reason},
    )
    raise GrantRefused(reason)


def role_grant_refusal(*, actor: User, role: Role | str, place: Place, user: User | None = None) -> str | None:
    """Why `actor` may not give `role` at `place` (to `user`, if known), or None when they may.

    The rule: the place lies in the actor's places and the role ranks no higher than the actor's
    own there; the health officer, auditor and administrator roles are given only by a street or
    district administrator over the place (who appoints them without holding, say, the auditor's
    reading of the log); any other role only by someone holding at that place every permission it
    carries (but the self-service ones); an
    account that already holds roles is given another only by someone whose places cover each of
    them (for an account of another community: an administrator above both); nobody grants
    themselves."""
    role = Role(role)
    if not scope_for(actor, Perm.ROLES_GRANT).contains(place.path):
        return _("%(place)s is outside your places.") % {"place": place.name}
    if rank_at(actor, place.path, Perm.ROLES_GRANT) < ROLE_RANK[role]:
        return _("You cannot grant a role above your own (%(role)s).") % {"role": role.label}
    if role in RESERVED_ROLES:
        if not any(ra.role in ADMIN_ROLES and is_within(place.path, ra.place.path) for ra in user_roles(actor)):
            return _("Only a street or district administrator gives the role %(role)s.") % {"role": role.label}
    elif any(not scope_for(actor, perm).contains(place.path) for perm in ROLE_PERMS[role] - SELF_PERMS):
        return _("The role %(role)s carries permissions you do not hold here.") % {"role": role.label}
    if user is not None:
        if actor.pk == user.pk:
            return _("You cannot grant roles to yourself.")
        grant_scope = scope_for(actor, Perm.ROLES_GRANT)
        held = RoleAssignment.objects.filter(user=user).values_list("place__path", flat=True)
        if any(not grant_scope.contains(path) for path in held):
            return _("This account holds roles outside your places: an administrator above both must add it.")
    return None


def roles_grantable(*, actor: User, place: Place) -> list[Role]:
    """The roles `actor` may give at `place` (to a new account), in the order of `Role`."""
    return [role for role in Role if role_grant_refusal(actor=actor, role=role, place=place) is None]


def role_grant_check(
    *, actor: User, role: Role | str, place: Place, user: User | None = None, request: HttpRequest | None = None
) -> None:
    """Raise GrantRefused (and audit the refusal) unless `actor` may give `role` at `place` (the
    rule is `role_grant_refusal`'s). Call it before a transaction that would roll the refusal's
    audit event back."""
    role = Role(role)
    reason = role_grant_refusal(actor=actor, role=role, place=place, user=user)
    if reason is not None:
        _refuse_grant(actor=actor, user=user, role=role, place=place, reason=reason, request=request)


def role_grant(
    *, actor: User | None, user: User, role: Role | str, place: Place, request: HttpRequest | None = None
) -> RoleAssignment:
    """Give `user` the role at `place`. The actor must pass `role_grant_refusal`'s rule; otherwise
    GrantRefused is raised and the refusal is audited. Granting a role the user already holds
    there returns the existing one.
    `actor=None` is the operator at the command line (`grant_role`, `load_demo`): no check."""
    role = Role(role)
    if actor is not None:
        role_grant_check(actor=actor, user=user, role=role, place=place, request=request)
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, place=place, defaults={"granted_by": actor}
        )
        if created:
            audit_log(
                action=AccountsAudit.ROLE_GRANTED,
                actor=actor,
                obj=user,
                place_path=place.path,
                request=request,
                details={"role": role.value, "place": place.name, "place_id": place.pk},
            )
    return assignment


def member_add(
    *,
    actor: User,
    place: Place,
    role: Role | str,
    username: str,
    password: str | None = None,
    display_name: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Give `role` at `place` to the account `username`: with a password, a new account; without
    one, an existing account the actor may add (one answer for "missing" and "refused"). The grant
    rules are checked first and a refusal is audited (GrantRefused); the account and its role are
    then written together or not at all."""
    existing = None
    if password:
        role_grant_check(actor=actor, role=role, place=place, request=request)
    else:
        # One answer whether the account is missing or not one this granter may add, so the form
        # does not tell who has an account (a refusal is still audited).
        existing = User.objects.filter(username=username).first()
        try:
            if existing is None:
                raise GrantRefused
            role_grant_check(actor=actor, role=role, place=place, user=existing, request=request)
        except GrantRefused:
            raise ValidationError({"username": NO_ACCOUNT_TO_ADD}) from None
    with transaction.atomic():
        user = existing or user_create(
            actor=actor, username=username, password=password, display_name=display_name, request=request
        )
        role_grant(actor=actor, user=user, role=role, place=place, request=request)
    return user


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment, request: HttpRequest | None = None) -> None:
    """Remove a role. The same rule as granting: within the actor's places, not above their rank,
    and not one's own (so nobody locks themselves out by mistake)."""
    place = assignment.place
    if (
        assignment.user_id == actor.pk
        or not scope_for(actor, Perm.ROLES_GRANT).contains(place.path)
        or rank_at(actor, place.path, Perm.ROLES_GRANT) < ROLE_RANK[assignment.role]
    ):
        raise GrantRefused(_("You cannot remove this role."))
    audit_log(
        action=AccountsAudit.ROLE_REVOKED,
        actor=actor,
        obj=assignment.user,
        place_path=place.path,
        request=request,
        details={"role": assignment.role, "place": place.name, "place_id": place.pk},
    )
    assignment.delete()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    display_name: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a log-in. Validates the username and the password against the password rules."""
    user = User(username=username, display_name=display_name, phone=phone)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(action=AccountsAudit.USER_CREATED, actor=actor, obj=user, request=request)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for `user`. The raw token is returned once and never stored."""
    raw = "tz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], digest=token_digest(raw))
    audit_log(
        action=AccountsAudit.API_TOKEN_CREATED, actor=user, obj=user, details={"prefix": token.prefix, "name": name}
    )
    return token, raw


def api_token_user(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def _home_path(user: User) -> str:
    roles = user_roles(user)
    return roles[0].place.path if roles else ""


def login_record(*, user: User, request: HttpRequest) -> None:
    audit_log(action=AccountsAudit.LOGIN, actor=user, obj=user, place_path=_home_path(user), request=request)


def logout_record(*, user: User, request: HttpRequest) -> None:
    audit_log(action=AccountsAudit.LOGOUT, actor=user, obj=user, place_path=_home_path(user), request=request)


def login_failure_record(*, username: str, request: HttpRequest) -> None:
    user = User.objects.filter(username=username).first()
    audit_log(
        action=AccountsAudit.LOGIN_FAILED,
        actor_name=username[:150],
        obj=user,
        place_path=_home_path(user) if user else "",
        request=request,
    )


def pii_reveal(
    *,
    actor: User,
    obj: models.Model,
    field: str,
    place_path: str,
    purpose: str,
    request: HttpRequest | None = None,
) -> Any:
    """The plain value of an encrypted field, for an actor who may unmask data at `place_path` and
    states why. Every reveal is audited with its purpose."""
    purpose = purpose.strip()
    if len(purpose) < 4:
        raise ValidationError({"purpose": _("State the purpose (at least 4 characters).")})
    require(actor, Perm.PII_REVEAL, place_path)
    audit_log(
        action=AccountsAudit.PII_REVEALED,
        actor=actor,
        obj=obj,
        place_path=place_path,
        request=request,
        purpose=purpose,
        details={"field": field},
    )
    return getattr(obj, field)
