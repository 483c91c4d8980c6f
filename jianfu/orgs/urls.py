from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("export/orgs.xlsx", views.export_orgs, name="export_orgs"),
    path("export/users.xlsx", views.export_users, name="export_users"),
    path("import/orgs/", views.import_spreadsheet, {"what": "orgs"}, name="import_orgs"),
    path("import/users/", views.import_spreadsheet, {"what": "users"}, name="import_users"),
    path("<str:code>/", views.org_detail, name="detail"),
]
