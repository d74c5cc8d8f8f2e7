from django.urls import path
from django.views.generic import RedirectView

from tongzhou.accounts.access import public
from tongzhou.checkpoints import pwa, views

app_name = "checkpoints"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("levels/request/", views.level_request, name="level_request"),
    path("levels/changes/<int:pk>/decide/", views.level_decide, name="level_decide"),
    path("gates/", views.gates, name="gates"),
    path("gates/mine/", views.my_gates, name="my_gates"),
    path("gates/devices/new/", views.device_new, name="device_new"),
    path("gates/<int:gate_id>/scan/", pwa.scan, name="scan"),
    path("gates/<int:gate_id>/visitors/", views.visitor_new, name="visitor_new"),
    path("passes/<int:place_id>/", views.pass_list, name="passes"),
    path("passes/<int:place_id>/cards.pdf", views.pass_cards, name="pass_cards"),
    path("passes/revoke/<int:pk>/", views.pass_revoke_view, name="pass_revoke"),
    path("passages/", views.passage_log, name="passages"),
    # Fever alerts moved to the shared inbox.
    path("alerts/", public(RedirectView.as_view(url="/alerts/?kind=fever")), name="alerts"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
