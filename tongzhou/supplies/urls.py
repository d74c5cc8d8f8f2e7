from django.urls import path

from tongzhou.supplies import views, views_distributions

app_name = "supplies"
urlpatterns = [
    path("", views.stock, name="stock"),
    path("stores/<int:pk>/", views.store, name="store"),
    path("stores/<int:pk>/issue/", views.store_issue, name="issue"),
    path("stores/<int:pk>/receive/", views.store_receive, name="receive"),
    path("stores/<int:pk>/transfer/", views.store_transfer, name="transfer"),
    path("stores/<int:pk>/hand-out/", views.store_handout, name="handout"),
    path("entries/<int:pk>/arrive/", views.entry_arrive, name="arrive"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="reverse"),
    path("mine/", views.my_handouts, name="mine"),
    path("mine/<int:pk>/confirm/", views.handout_confirm, name="confirm"),
    path("donations/", views.donations, name="donations"),
    path("donations/new/", views.donation_create, name="donation_create"),
    path("donations/<int:pk>/", views.donation, name="donation"),
    path("donations/<int:pk>/receipt.pdf", views.donation_receipt, name="receipt"),
    path("receipts/<str:token>/", views.verify, name="verify"),
    path("ledger/<str:code>/", views.public_ledger, name="public_ledger"),
    path("ledger/<str:code>/ledger.csv", views.public_ledger_csv, name="public_ledger_csv"),
    path("requisitions/", views.requisitions, name="requisitions"),
    path("requisitions/new/", views.requisition_create, name="requisition_create"),
    path("requisitions/<int:pk>/", views.requisition, name="requisition"),
    path("requisitions/<int:pk>/decide/", views.requisition_decide, name="requisition_decide"),
    path("requisitions/<int:pk>/issue/", views.requisition_issue, name="requisition_issue"),
    path("requisitions/<int:pk>/receive/", views.requisition_receive, name="requisition_receive"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("stores/<int:pk>/minimums/", views.store_minimums, name="minimums"),
    # Household distributions in sealed places
    path("distributions/", views_distributions.distributions, name="distributions"),
    path("distributions/new/", views_distributions.distribution_create, name="distribution_create"),
    path("distributions/<int:pk>/", views_distributions.distribution, name="distribution"),
    path("distributions/<int:pk>/pack/", views_distributions.distribution_pack, name="distribution_pack"),
    path("distributions/<int:pk>/assign/", views_distributions.distribution_runner, name="distribution_runner"),
    path(
        "distributions/<int:pk>/buildings/<int:building_pk>/",
        views_distributions.packing_list,
        name="packing_list",
    ),
    path(
        "distributions/<int:pk>/buildings/<int:building_pk>/packing.pdf",
        views_distributions.packing_list_pdf,
        name="packing_pdf",
    ),
    path("deliveries/", views_distributions.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/", views_distributions.deliver, name="deliver"),
]
