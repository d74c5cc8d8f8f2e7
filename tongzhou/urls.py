from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from tongzhou.accounts.access import public
from tongzhou.api import api
from tongzhou.reports.views import landing

urlpatterns = [
    # First: a gate's scan (the busiest address) is resolved without trying every page's pattern.
    path("api/v1/", api.urls),
    path("", landing, name="root"),
    path("dashboard/", include("tongzhou.reports.urls")),
    path("places/", include("tongzhou.places.urls")),
    path("", include("tongzhou.portal.urls")),
    path("accounts/", include("tongzhou.accounts.urls")),
    path("approvals/", include("tongzhou.accounts.approval_urls")),
    path("residents/", include("tongzhou.people.urls")),
    path("alerts/", include("tongzhou.alerts.urls")),
    path("help/", include("tongzhou.assistance.urls")),
    path("monitoring/", include("tongzhou.monitoring.urls")),
    path("volunteers/", include("tongzhou.volunteers.urls")),
    path("checkpoints/", include("tongzhou.checkpoints.urls")),
    path("testing/", include("tongzhou.testing.urls")),
    path("notices/", include("tongzhou.notices.urls")),
    path("stories/", include("tongzhou.notices.stories.urls")),
    path("supplies/", include("tongzhou.supplies.urls")),
    path("welfare/", include("tongzhou.welfare.urls")),
    # The audit log moved under accounts; the old address still leads there.
    path("audit/", public(RedirectView.as_view(pattern_name="accounts:audit", query_string=True))),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
