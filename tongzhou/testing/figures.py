"""Testing as figures of the daily report (see tongzhou/core/figures.py). The share sampled is a
ratio of two sums (sampled in a running round / residents), so a street's share is its own."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, Ratio, register_figures
from tongzhou.core.pii import mask_name
from tongzhou.testing.models import Result

_SECTION = _("Testing")


def _in_running_round(d: Day) -> Q:
    # round_on is the round's first day: named too, so that PostgreSQL skips the months ahead.
    return Q(
        round_on__lte=d.day, round__starts_on__lte=d.day, round__ends_on__gte=d.day, retest=False, taken_at__lt=d.cutoff
    )


SAMPLED = Figure(
    key="sampled_in_round",
    label=_("Sampled in the running round"),
    doc=_("People sampled (first samples, not retests) before the cut-off in rounds running on the day."),
    model="testing.Sample",
    path_field="place_path",
    rows=_in_running_round,
    columns=(
        Column(_("name"), lambda s: mask_name(s.person.name)),
        Column(_("round"), lambda s: s.round.name),
        Column(_("sampled at"), lambda s: s.taken_at),
    ),
    select_related=("person", "round"),
    order=70,
    section=_SECTION,
)

POSITIVE = Figure(
    key="in_positive_tubes",
    label=_("People in positive tubes"),
    doc=_(
        "Samples whose pooled tube's positive result came between midnight and the cut-off, by the person's community."
    ),
    model="testing.Sample",
    path_field="place_path",
    rows=lambda d: Q(tube__result=Result.POSITIVE, tube__result_at__gte=d.start, tube__result_at__lt=d.cutoff),
    columns=(
        Column(_("name"), lambda s: mask_name(s.person.name)),
        Column(_("tube"), lambda s: s.tube.barcode),
        Column(_("result time"), lambda s: s.tube.result_at),
    ),
    select_related=("person", "tube"),
    order=72,
    section=_SECTION,
)

RECALLS = Figure(
    key="recalls_outstanding",
    label=_("Recalls outstanding"),
    doc=_("Recalls made before the cut-off and not cleared by then."),
    model="testing.Recall",
    path_field="place_path",
    rows=lambda d: Q(created_at__lt=d.cutoff) & (Q(cleared_at__isnull=True) | Q(cleared_at__gte=d.cutoff)),
    columns=(Column(_("name"), lambda r: mask_name(r.person.name)), Column(_("recalled at"), lambda r: r.created_at)),
    select_related=("person",),
    order=73,
    section=_SECTION,
)

SHARE_SAMPLED = Ratio(
    key="share_sampled",
    # xgettext:no-python-format
    label=_("% sampled"),
    numerator="sampled_in_round",
    denominator="residents",
    fall_points=10,
    order=71,
    section=_SECTION,
)

register_figures(SAMPLED, POSITIVE, RECALLS, SHARE_SAMPLED)
