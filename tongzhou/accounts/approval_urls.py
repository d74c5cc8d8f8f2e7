from django.urls import path

from tongzhou.accounts import approval_views

app_name = "approvals"
urlpatterns = [
    path("", approval_views.approval_list, name="list"),
    path("<slug:kind>/<int:pk>/", approval_views.approval_detail, name="detail"),
]
