from django.urls import path

from tongzhou.supplies import views, views_funds

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
    # Funds: money in (donations, grants) and out (purchases).
    path("funds/", views_funds.funds, name="funds"),
    path("funds/<int:pk>/", views_funds.fund, name="fund"),
    path("funds/<int:pk>/donations/", views_funds.fund_put_in, name="fund_put_in"),
    path("funds/<int:pk>/grants/", views_funds.fund_grant, name="fund_grant"),
    path("funds/<int:pk>/purchase/", views_funds.purchase_create, name="purchase_create"),
    path("grants/<int:pk>/answer/", views_funds.grant_answer, name="grant_answer"),
    path("purchases/<int:pk>/", views_funds.purchase, name="purchase"),
    path("purchases/<int:pk>/invoice/", views_funds.invoice, name="invoice"),
    path("ledger/<str:code>/funds.csv", views_funds.public_funds_csv, name="public_funds_csv"),
]
