from django.urls import path

from tongzhou.notices.stories import views

app_name = "stories"
urlpatterns = [
    path("desk/", views.index, name="index"),
    path("desk/new/", views.create, name="create"),
    path("desk/<int:pk>/", views.detail, name="detail"),
    path("desk/<int:pk>/edit/", views.edit, name="edit"),
    path("desk/<int:pk>/photos/", views.photos, name="photos"),
    path("desk/<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("my-consent/", views.my_consent, name="my_consent"),
    path("<str:code>/", views.street, name="street"),
    path("<str:code>/<int:pk>/", views.public_story, name="public"),
    path("<str:code>/<int:pk>/photos/<int:photo_pk>/", views.public_photo, name="public_photo"),
]
