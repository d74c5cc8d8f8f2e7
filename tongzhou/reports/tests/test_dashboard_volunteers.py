"""The dashboard's volunteer figures (on duty now, hours this week, shifts short of people) and the
help requests' median time in words a person reads (minutes under an hour)."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from tongzhou.volunteers.models import Assignment, HoursEntry, Shift
from tongzhou.volunteers.selectors import volunteer_figures
from tongzhou.volunteers.services import assignment_add, post_create
from tongzhou.volunteers.tests.conftest import make_volunteer  # noqa: F401  (fixture)


def test_volunteer_figures_count_the_area_only(demo, make_volunteer, client_as):  # noqa: F811
    now = timezone.now()
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="东门岗", duty="gate")

    def shift(start, hours=4, need=1):
        return Shift.objects.create(
            post=post,
            place_path=post.place_path,
            start=start,
            end=start + timedelta(hours=hours),
            min_people=need,
            max_people=3,
        )

    on, off = make_volunteer(), make_volunteer()
    current = shift(now - timedelta(hours=1))
    started = assignment_add(actor=demo.taian_staff, shift=current, volunteer=on)
    Assignment.objects.filter(pk=started.pk).update(checked_in_at=now - timedelta(minutes=50))
    short = shift(now + timedelta(days=1), need=3)
    assignment_add(actor=demo.taian_staff, shift=short, volunteer=off)
    shift(now + timedelta(days=2))  # nobody yet: one more missing
    shift(now + timedelta(days=9))  # beyond the week: not counted
    HoursEntry.objects.create(volunteer=on, hours=Decimal("3.5"), reason="")
    old = HoursEntry.objects.create(volunteer=off, hours=Decimal("8"), reason="")
    HoursEntry.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=8))

    figures = volunteer_figures(_scope(demo, "taian"))
    assert figures == {"on_duty": 1, "hours_week": Decimal("3.5"), "uncovered_shifts": 2, "missing_people": 3}
    assert volunteer_figures(_scope(demo, "songhua")) == {
        "on_duty": 0,
        "hours_week": Decimal(0),
        "uncovered_shifts": 0,
        "missing_people": 0,
    }
    html = client_as("taian_staff").get(reverse("reports:dashboard")).content.decode()
    assert 'id="volunteers-on-duty">1<' in html
    assert 'id="volunteers-hours">3.5<' in html
    assert client_as("songhua_staff").get(reverse("reports:dashboard")).context["volunteers"]["on_duty"] == 0
    # Those who do not run volunteers see no volunteer figures.
    assert client_as("guard").get(reverse("reports:dashboard")).context["volunteers"] is None


def _scope(demo, key):
    from tongzhou.core.scope import Scope

    return Scope.of([demo.places[key].path])


def test_a_median_under_an_hour_reads_in_minutes(demo, client_as):
    response = client_as("taian_staff").get(reverse("reports:dashboard"))
    help_figures = response.context["help"]
    assert help_figures["median_hours"] is not None and help_figures["median_hours"] < 1  # the demo's quick jobs
    html = response.content.decode()
    median = html[html.index('id="help-median">') :]
    median = median[: median.index("<")]
    assert f"{help_figures['median_minutes']} " in median and "0.0" not in median
