from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("new/", views.report, name="report"),
    path("grid/", views.grid_home, name="grid"),
    path("whistle/", views.whistle_new, name="whistle"),
    path("rates/", views.rates, name="rates"),
    path("services/", views.service_list, name="services"),
    path("services/<str:code>/", views.service_detail, name="service"),
    path("services/<str:code>/apply/", views.service_apply, name="apply"),
    path("query/", views.query, name="query"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("<str:number>/<str:action>/", views.case_action, name="action"),
]
