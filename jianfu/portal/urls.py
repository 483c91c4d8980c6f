from django.urls import path

from . import views

app_name = "portal"

urlpatterns: list = [
    # Public: no login.
    path("", views.home, name="home"),
    path("community/<str:code>/", views.community, name="community"),
    path("deliberations/", views.deliberations, name="deliberations"),
    path("deliberations/<int:pk>/", views.deliberation, name="deliberation"),
    # Communities, streets and the office keep the records.
    path("commitments/", views.commitments, name="commitments"),
    path("records/", views.records, name="records"),
    path("records/export.xlsx", views.records_export, name="records_export"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/<str:action>/", views.record_action, name="record_action"),
]
