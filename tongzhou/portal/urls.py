from django.urls import path

from tongzhou.portal import views

# The addresses are those of the links already sent to residents: they must keep working.
app_name = "portal"
urlpatterns = [
    path("residents/mine/<str:token>/", views.record, name="record"),
    path("monitoring/mine/<str:token>/", views.isolation, name="isolation"),
    path("help/mine/<str:token>/", views.help_requests, name="help"),
    path("help/mine/<str:token>/<int:pk>/", views.help_request, name="help_request"),
    path("testing/mine/<str:token>/", views.testing, name="testing"),
    path("notices/mine/<str:token>/", views.notices, name="notices"),
    path("parcels/mine/<str:token>/", views.parcels, name="parcels"),
]
