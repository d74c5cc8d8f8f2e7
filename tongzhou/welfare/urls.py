from django.urls import path

from tongzhou.welfare import views

app_name = "welfare"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/proposals/", views.proposal_list, name="proposals"),
    path("plans/<int:pk>/upload/", views.enroll_upload, name="upload"),
    path("import/template/", views.enroll_template, name="template"),
    path("import/<int:pk>/", views.enroll_job, name="job"),
    path("import/<int:pk>/errors.csv", views.enroll_errors, name="job_errors"),
    path("gifts/<int:pk>/", views.gift_detail, name="gift"),
    path("mine/", views.mine, name="mine"),
    path("enrollments/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("enrollments/<int:pk>/claim/", views.claim_new, name="claim_new"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("notice/", views.notice, name="notice"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/visits/<int:visit_pk>/photo", views.visit_photo, name="visit_photo"),
]
urlpatterns += [
    path("plans/<int:pk>/units/", views.plan_units, name="plan_units"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/verify/<str:token>/", views.invoice_verify, name="invoice_verify"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/upload/", views.unit_upload, name="unit_upload"),
    path("units/import/template/", views.unit_template, name="unit_template"),
    path("units/import/<int:pk>/", views.unit_job, name="unit_job"),
    path("units/import/<int:pk>/errors.csv", views.unit_job_errors, name="unit_job_errors"),
]
