from django.urls import path

from tongzhou.places import views

app_name = "places"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/new-building/", views.create_building, name="create_building"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/export.csv", views.export, name="export"),
    path("households/<int:pk>/", views.household, name="household"),
]
