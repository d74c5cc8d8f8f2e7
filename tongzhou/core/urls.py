from django.urls import path

from tongzhou.core import views

app_name = "core"
urlpatterns = [path("", views.audit_list, name="audit")]
