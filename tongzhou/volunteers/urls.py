from django.urls import path

from tongzhou.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/communities/", views.communities, name="communities"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/vet/", views.vet, name="vet"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("me/", views.me, name="me"),
]
