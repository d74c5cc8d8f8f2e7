from django.urls import path

from tongzhou.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/advance/", views.round_advance_view, name="advance"),
    path("<int:pk>/notify/", views.notify, name="notify"),
    path("<int:pk>/control/", views.request_control, name="request_control"),
    path("<int:pk>/sample/", views.sample, name="sample"),
    path("<int:pk>/notice/<int:place_id>.pdf", views.building_notice_pdf, name="notice"),
    path("building/<str:token>/", views.building_page, name="building"),
    path("sw.js", views.service_worker, name="sw"),
    path("<int:pk>/untested/", views.untested, name="untested"),
    path("<int:pk>/custody/", views.custody, name="custody"),
    path("<int:pk>/sites/", views.sites, name="sites"),
    path("<int:pk>/results/", views.results_upload, name="results_upload"),
    path("results/template.xlsx", views.results_template, name="results_template"),
    path("results/<int:pk>/", views.results_job, name="results_job"),
    path("results/<int:pk>/errors.csv", views.results_errors, name="results_errors"),
]
