from django.urls import path

from tongzhou.people import views

app_name = "people"
urlpatterns = [
    path("", views.register_list, name="register"),
    path("new/", views.person_new, name="new"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.person_reveal, name="reveal"),
    path("<int:pk>/move/", views.person_move_view, name="move"),
    path("<int:pk>/send-link/", views.person_send_link, name="send_link"),
    path("<int:pk>/revoke-links/", views.person_revoke_links, name="revoke_links"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("export/", views.export, name="export"),
]
