from django.urls import path

from tongzhou.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
]
