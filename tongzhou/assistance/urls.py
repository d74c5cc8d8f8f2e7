from django.urls import path

from tongzhou.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("desk/", views.desk, name="desk"),
    path("new/", views.intake, name="intake"),
    path("callers/", views.callers, name="callers"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/purchases/", views.purchase_new, name="purchase_new"),
    path("<int:pk>/purchases/<int:purchase_pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/purchases/<int:purchase_pk>/repaid/", views.repaid, name="repaid"),
]
