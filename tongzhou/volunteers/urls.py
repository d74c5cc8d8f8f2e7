from django.urls import path

from tongzhou.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/communities/", views.communities, name="communities"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/vet/", views.vet, name="vet"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("me/", views.me, name="me"),
    path("me/shifts/<int:pk>/take/", views.take_slot, name="take"),
    path("me/assignments/<int:pk>/change/", views.ask_change, name="ask_change"),
    path("me/certificate.pdf", views.certificate, name="certificate"),
    path("me/mark/<int:pk>/", views.leader_mark, name="leader_mark"),
    path("check/<str:token>/", views.check, name="check"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("posts/", views.post_list, name="posts"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/sign.pdf", views.post_sign, name="post_sign"),
    path("rosters/", views.roster_list, name="rosters"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster"),
    path("rosters/<int:pk>/edit/", views.roster_edit, name="roster_edit"),
    path("attendance/", views.attendance, name="attendance"),
]
