from django.urls import path

from tongzhou.accounts import audit_views, views
from tongzhou.accounts.access import public

app_name = "accounts"
urlpatterns = [
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password"),
    path("roles/", views.roles_list, name="roles"),
    path("roles/<int:pk>/revoke/", views.role_revoke_view, name="role_revoke"),
    path("places/<int:pk>/members/", views.place_members, name="place_members"),
    path("users/<int:pk>/phone/", views.user_phone_reveal, name="phone_reveal"),
    path("audit/", audit_views.audit_list, name="audit"),
]
