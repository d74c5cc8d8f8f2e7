"""Roles and permissions, named once.

A role is held at a place and covers that place's subtree. A permission is what a role allows; views
and API endpoints declare the permission they need, and the scope of that permission is the union
of the subtrees of the places where the user holds a role that grants it.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_ADMIN = "street_admin", _("Street administrator")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    HEALTH_OFFICER = "health_officer", _("Health officer")
    AUDITOR = "auditor", _("Auditor")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_LEAD = "building_lead", _("Building lead")
    WAREHOUSE_KEEPER = "warehouse_keeper", _("Warehouse keeper")
    CHECKPOINT_GUARD = "checkpoint_guard", _("Checkpoint guard")
    VOLUNTEER = "volunteer", _("Volunteer")
    WELFARE_OFFICER = "welfare_officer", _("Welfare officer")
    UNIT_CONTACT = "unit_contact", _("Member unit contact")


class Perm(StrEnum):
    PLACES_VIEW = "places.view"
    PLACES_MANAGE = "places.manage"
    DASHBOARD_VIEW = "dashboard.view"
    ROLES_GRANT = "roles.grant"
    AUDIT_VIEW = "audit.view"
    PII_REVEAL = "pii.reveal"
    DATA_EXPORT = "data.export"
    PEOPLE_VIEW = "people.view"
    PEOPLE_MANAGE = "people.manage"
    # Help requests: record a call, take a job, run the desk (assign, cancel, transfer, repay).
    HELP_INTAKE = "assistance.intake"
    HELP_CLAIM = "assistance.claim"
    HELP_MANAGE = "assistance.manage"
    # Key persons and home isolation: health data is read only by those who hold HEALTH_VIEW.
    HEALTH_VIEW = "monitoring.view"
    HEALTH_CHECK = "monitoring.check"
    KEY_PERSON_REGISTER = "monitoring.register"
    ISOLATION_ORDER = "monitoring.order"
    # The second pair of eyes on a manual override of a person's status.
    STATUS_APPROVE = "monitoring.approve"
    # Vetting volunteers' sign-ups and running teams; a volunteer's own pages.
    VOLUNTEERS_MANAGE = "volunteers.manage"
    VOLUNTEER_SELF = "volunteers.self"
    # Closed management: asking for a control level, approving sealing or unsealing (never one's
    # own request), running gates, passes and devices, and scanning at a gate.
    CONTROL_SET = "checkpoints.control"
    CONTROL_APPROVE = "checkpoints.approve"
    GATES_MANAGE = "checkpoints.manage"
    GATE_SCAN = "checkpoints.scan"
    # Testing rounds: plan a round and import its results (results are read with HEALTH_VIEW),
    # and sample at a site (masked names, never a result).
    TESTING_PLAN = "testing.plan"
    TESTING_SAMPLE = "testing.sample"
    # The message log (every module's messages, masked) and notices: writing and sending them,
    # approving one for a whole street or wider, ticking households off a door-to-door list; in
    # demo mode, reading the demo outbox unmasked (links, initial passwords).
    MESSAGES_VIEW = "messages.view"
    MESSAGES_DEMO_OUTBOX = "messages.demo_outbox"
    NOTICES_SEND = "notices.send"
    NOTICES_APPROVE = "notices.approve"
    NOTICES_VISIT = "notices.visit"
    # Supplies: read the stock of one's stores; keep a store (receive, issue, transfer, adjust,
    # reverse a mistake); run the catalogue, stores and minimum levels.
    SUPPLIES_VIEW = "supplies.view"
    SUPPLIES_KEEP = "supplies.keep"
    SUPPLIES_MANAGE = "supplies.manage"
    # Care for front-line workers: plans, enrollments, the proposal list, campaigns and (health
    # data, the welfare officer's alone) claims; the second pair of eyes on a gifted enrollment.
    WELFARE_MANAGE = "welfare.manage"
    WELFARE_CLAIMS = "welfare.claims"
    WELFARE_APPROVE = "welfare.approve"
    # A member unit's contact: enroll the unit's own members in the plans of the place where the
    # role is held, and read the unit's enrollments and invoices (never a claim). Which unit is a
    # welfare record (`welfare.UnitContact`): a role covers places, not organisations.
    WELFARE_UNIT = "welfare.unit"
    # The daily report: read it and its drill-downs (always masked); write its words and sign it.
    REPORT_VIEW = "reports.view"
    REPORT_SIGN = "reports.sign"


# A grant may only give a role whose rank is at most the granter's own rank at that place.
ROLE_RANK: dict[str, int] = {
    Role.DISTRICT_ADMIN: 90,
    Role.STREET_ADMIN: 80,
    Role.COMMUNITY_STAFF: 60,
    Role.HEALTH_OFFICER: 60,
    Role.AUDITOR: 60,
    Role.GRID_WORKER: 40,
    Role.BUILDING_LEAD: 30,
    Role.WAREHOUSE_KEEPER: 30,
    Role.CHECKPOINT_GUARD: 20,
    Role.VOLUNTEER: 10,
    Role.WELFARE_OFFICER: 60,
    Role.UNIT_CONTACT: 10,
}

# The roles that watch or overrule the others (the health officer's second pair of eyes on a
# status change, the auditor's log, the administrators) are given only by a street or district
# administrator: otherwise community staff could make themselves a colleague to approve their own
# requests, or an auditor to read the log.
ADMIN_ROLES: frozenset[str] = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
RESERVED_ROLES: frozenset[str] = ADMIN_ROLES | {Role.HEALTH_OFFICER, Role.AUDITOR, Role.WELFARE_OFFICER}

_EVERYONE = {Perm.PLACES_VIEW, Perm.DASHBOARD_VIEW}
_ADMIN = _EVERYONE | {
    Perm.PLACES_MANAGE,
    Perm.ROLES_GRANT,
    Perm.PII_REVEAL,
    Perm.DATA_EXPORT,
    Perm.PEOPLE_VIEW,
    Perm.PEOPLE_MANAGE,
    Perm.HELP_INTAKE,
    Perm.HELP_CLAIM,
    Perm.HELP_MANAGE,
    Perm.HEALTH_VIEW,
    Perm.HEALTH_CHECK,
    Perm.KEY_PERSON_REGISTER,
    Perm.VOLUNTEERS_MANAGE,
    Perm.GATES_MANAGE,
    Perm.GATE_SCAN,
    Perm.TESTING_PLAN,
    Perm.TESTING_SAMPLE,
    Perm.MESSAGES_VIEW,
    Perm.NOTICES_SEND,
    Perm.NOTICES_VISIT,
    Perm.SUPPLIES_VIEW,
    Perm.SUPPLIES_KEEP,
    Perm.SUPPLIES_MANAGE,
    Perm.REPORT_VIEW,
    Perm.REPORT_SIGN,
}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.DISTRICT_ADMIN: frozenset(
        _ADMIN
        | {
            Perm.STATUS_APPROVE,
            Perm.CONTROL_SET,
            Perm.CONTROL_APPROVE,
            Perm.NOTICES_APPROVE,
            Perm.MESSAGES_DEMO_OUTBOX,
            Perm.WELFARE_APPROVE,
        }
    ),
    Role.STREET_ADMIN: frozenset(
        _ADMIN
        | {
            Perm.STATUS_APPROVE,
            Perm.CONTROL_SET,
            Perm.CONTROL_APPROVE,
            Perm.NOTICES_APPROVE,
            Perm.MESSAGES_DEMO_OUTBOX,
            Perm.WELFARE_APPROVE,
        }
    ),
    Role.COMMUNITY_STAFF: frozenset(_ADMIN),
    Role.HEALTH_OFFICER: frozenset(
        _EVERYONE
        | {
            Perm.PII_REVEAL,
            Perm.PEOPLE_VIEW,
            Perm.HEALTH_VIEW,
            Perm.HEALTH_CHECK,
            Perm.KEY_PERSON_REGISTER,
            Perm.ISOLATION_ORDER,
            Perm.STATUS_APPROVE,
            Perm.CONTROL_APPROVE,
            Perm.TESTING_PLAN,
            Perm.TESTING_SAMPLE,
            Perm.NOTICES_APPROVE,
            Perm.REPORT_VIEW,
        }
    ),
    # The auditor reads the log of who did what; it cannot change anything or unmask data.
    Role.AUDITOR: frozenset(_EVERYONE | {Perm.AUDIT_VIEW, Perm.REPORT_VIEW}),
    # Door-to-door work reads the register of one's grid or building; changes go through staff.
    # They also take residents' calls and run errands in their area.
    Role.GRID_WORKER: frozenset(
        _EVERYONE
        | {
            Perm.PEOPLE_VIEW,
            Perm.HELP_INTAKE,
            Perm.HELP_CLAIM,
            Perm.HEALTH_VIEW,
            Perm.HEALTH_CHECK,
            Perm.TESTING_SAMPLE,
            Perm.NOTICES_VISIT,
        }
    ),
    Role.BUILDING_LEAD: frozenset(
        _EVERYONE | {Perm.PEOPLE_VIEW, Perm.HELP_INTAKE, Perm.HELP_CLAIM, Perm.TESTING_SAMPLE, Perm.NOTICES_VISIT}
    ),
    # The keeper runs the stores of their place: stock in and out, never the catalogue or levels.
    Role.WAREHOUSE_KEEPER: frozenset(_EVERYONE | {Perm.SUPPLIES_VIEW, Perm.SUPPLIES_KEEP}),
    # Guards scan at the gates of their compound (and see the masked pass list it caches).
    Role.CHECKPOINT_GUARD: frozenset(_EVERYONE | {Perm.GATE_SCAN}),
    # Volunteers see open help requests of their area, masked, and take them.
    # They also record samples at a testing site (masked names; never a result).
    Role.VOLUNTEER: frozenset(_EVERYONE | {Perm.HELP_CLAIM, Perm.VOLUNTEER_SELF, Perm.TESTING_SAMPLE}),
    # Reads hours and posts to propose key positions, and alone among staff reads claims.
    Role.WELFARE_OFFICER: frozenset(
        _EVERYONE | {Perm.WELFARE_MANAGE, Perm.WELFARE_CLAIMS, Perm.WELFARE_APPROVE, Perm.PII_REVEAL}
    ),
    # Given with its unit by the welfare officer (welfare.services.unit_contact_create).
    Role.UNIT_CONTACT: frozenset(_EVERYONE | {Perm.WELFARE_UNIT}),
}


# Permissions over one's own records only: giving them hands nobody power over others, so a
# granter need not hold them (staff make volunteers without being volunteers).
SELF_PERMS: frozenset[Perm] = frozenset({Perm.VOLUNTEER_SELF})


def roles_with(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]
