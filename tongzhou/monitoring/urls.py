from django.urls import path
from django.views.generic import RedirectView

from tongzhou.accounts.access import public
from tongzhou.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.today, name="today"),
    # The alerts moved to the shared inbox.
    path("alerts/", public(RedirectView.as_view(pattern_name="alerts:inbox")), name="alerts"),
    path("overrides/", views.overrides, name="overrides"),
    path("key-persons/", views.key_person_list, name="key_persons"),
    path("key-persons/new/<int:person_pk>/", views.key_person_new, name="key_person_new"),
    path("key-persons/<int:pk>/", views.key_person_detail, name="key_person"),
    path("key-persons/<int:pk>/order/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/change/", views.order_change_view, name="order_change"),
    path("orders/<int:pk>/check/", views.check_new, name="check_new"),
    path("checks/<int:pk>/", views.check_source, name="check"),
    path("orders/<int:pk>/notice.pdf", views.notice_pdf, name="notice"),
    path("overrides/<int:pk>/decide/", views.override_decide_view, name="override_decide"),
]
