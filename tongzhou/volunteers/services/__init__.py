"""Every write of the volunteers module, by sub-domain: sign-up and vetting (`signup`), teams,
posts and shift templates, rosters and the solver run, open slots and change requests, and duty
(check-in, attendance, hours). Callers import from here."""

from tongzhou.volunteers.services.changes import (
    change_request_create,
    change_request_decide,
    slot_signup,
)
from tongzhou.volunteers.services.duty import (
    CHECK_IN_EARLY,
    LATE_AFTER,
    ConfirmCheckOut,
    attendance_mark,
    check_in,
    check_out,
    current_assignment,
    hours_correct,
)
from tongzhou.volunteers.services.posts import (
    post_create,
    shifts_add,
    template_create,
)
from tongzhou.volunteers.services.rosters import (
    MAX_ROSTER_DAYS,
    assignment_add,
    assignment_remove,
    roster_problem,
    roster_publish,
    roster_solve,
    roster_start,
)
from tongzhou.volunteers.services.signup import (
    MAX_BLACKOUT_DATES,
    PASSWORD_ALPHABET,
    SignupData,
    volunteer_signup,
    volunteer_vet,
)
from tongzhou.volunteers.services.teams import (
    team_create,
    team_set_members,
)

__all__ = [
    "CHECK_IN_EARLY",
    "LATE_AFTER",
    "MAX_BLACKOUT_DATES",
    "MAX_ROSTER_DAYS",
    "PASSWORD_ALPHABET",
    "ConfirmCheckOut",
    "SignupData",
    "assignment_add",
    "assignment_remove",
    "attendance_mark",
    "change_request_create",
    "change_request_decide",
    "check_in",
    "check_out",
    "current_assignment",
    "hours_correct",
    "post_create",
    "roster_problem",
    "roster_publish",
    "roster_solve",
    "roster_start",
    "shifts_add",
    "slot_signup",
    "team_create",
    "team_set_members",
    "template_create",
    "volunteer_signup",
    "volunteer_vet",
]
