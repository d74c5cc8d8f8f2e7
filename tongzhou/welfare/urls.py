from django.urls import path

from tongzhou.welfare.views import campaigns, claims, gifts, plans, units

app_name = "welfare"
urlpatterns = [
    path("", plans.plans, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/proposals/", plans.proposal_list, name="proposals"),
    path("plans/<int:pk>/upload/", plans.enroll_upload, name="upload"),
    path("import/template/", plans.enroll_template, name="template"),
    path("import/<int:pk>/", plans.enroll_job, name="job"),
    path("import/<int:pk>/errors.csv", plans.enroll_errors, name="job_errors"),
    path("gifts/<int:pk>/", gifts.gift_detail, name="gift"),
    path("mine/", gifts.mine, name="mine"),
    path("enrollments/<int:pk>/certificate.pdf", gifts.certificate, name="certificate"),
    path("enrollments/<int:pk>/claim/", claims.claim_new, name="claim_new"),
    path("verify/<str:token>/", gifts.verify, name="verify"),
    path("claims/", claims.claim_list, name="claims"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim"),
    path("notice/", claims.notice, name="notice"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/visits/<int:visit_pk>/photo", campaigns.visit_photo, name="visit_photo"),
]
urlpatterns += [
    path("plans/<int:pk>/units/", units.plan_units, name="plan_units"),
    path("invoices/<int:pk>/", units.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/invoice.pdf", units.invoice_pdf, name="invoice_pdf"),
    path("invoices/verify/<str:token>/", units.invoice_verify, name="invoice_verify"),
    path("units/", units.units, name="units"),
    path("units/<int:pk>/", units.unit_detail, name="unit"),
    path("units/upload/", units.unit_upload, name="unit_upload"),
    path("units/import/template/", units.unit_template, name="unit_template"),
    path("units/import/<int:pk>/", units.unit_job, name="unit_job"),
    path("units/import/<int:pk>/errors.csv", units.unit_job_errors, name="unit_job_errors"),
]
