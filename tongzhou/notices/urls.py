from django.urls import path

from tongzhou.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/new-version/", views.new_version, name="new_version"),
    path("<int:pk>/doors/", views.doors, name="doors"),
    path("<int:pk>/door-notices.pdf", views.door_pdf, name="door_pdf"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("messages/", views.message_log, name="messages"),
    path("messages/receipt/", views.receipt, name="receipt"),
    path("n/<str:token>/", views.public_notice, name="public"),
    path("n/<str:token>/files/<int:attachment_pk>/", views.public_attachment, name="public_attachment"),
]
