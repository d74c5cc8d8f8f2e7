from django.urls import path

from tongzhou.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("daily/", views.daily_home, name="daily_home"),
    path("daily/<str:code>/<str:day>/", views.daily, name="daily"),
    path("daily/<str:code>/<str:day>/sign/", views.daily_sign, name="daily_sign"),
    path("daily/<str:code>/<str:day>/words/", views.daily_words, name="daily_words"),
    path("daily/<str:code>/<str:day>/adjust/", views.daily_adjust, name="daily_adjust"),
    path("daily/<str:code>/<str:day>/remind/", views.daily_remind, name="daily_remind"),
    path("daily/<str:code>/<str:day>/report.<str:fmt>", views.daily_export, name="daily_export"),
    path("daily/<str:code>/<str:day>/figure/<str:key>/", views.daily_drill, name="daily_drill"),
]
