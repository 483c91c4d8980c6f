from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    # Public: no login.
    path("check/", views.check, name="check"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:serial>/", views.verify, name="verify"),
    # Residents, workers, the street and the office.
    path("", views.home, name="home"),
    path("new/", views.request_new, name="new"),
    path("r/<str:number>/", views.request_detail, name="request"),
    path("r/<str:number>/<str:action>/", views.request_action, name="action"),
    path("c/<str:serial>.pdf", views.certificate_pdf, name="pdf"),
    path("c/<str:serial>/revoke/", views.certificate_revoke, name="revoke"),
    path("seals/", views.seals, name="seals"),
    path("seals/export.xlsx", views.seals_export, name="seals_export"),
    path("seals/<int:pk>/revoke/", views.seal_revoke, name="seal_revoke"),
    path("figures/", views.figures, name="figures"),
    path("figures/export.xlsx", views.figures_export, name="figures_export"),
    path("figures/baseline/import/", views.baseline_import, name="baseline_import"),
    path("types/", views.types, name="types"),
    path("types/<str:code>/", views.type_edit, name="type_edit"),
    path("dishonesty/", views.dishonesty, name="dishonesty"),
]
