from django.urls import path

from . import plaque_views, views

app_name = "catalog"
urlpatterns = [
    path("catalog/", views.catalog_home, name="home"),
    path("catalog/publish/", views.catalog_publish, name="publish"),
    path("catalog/diff/", views.catalog_diff, name="diff"),
    path("catalog/<int:year>/", views.catalog_year, name="year"),
    path("catalog/<int:year>/export.xlsx", views.catalog_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("catalog/<int:year>/export.docx", views.catalog_export, {"fmt": "docx"}, name="export_docx"),
    path("catalog/<int:year>/export.pdf", views.catalog_export, {"fmt": "pdf"}, name="export_pdf"),
    path("plaques/", plaque_views.plaques, name="plaques"),
    path("plaques/<str:code>/", plaque_views.community_plaques, name="plaques_community"),
    path("plaques/<str:code>/<int:pk>/", plaque_views.plaque_detail, name="plaque"),
    path("lists/", views.list_index, name="lists"),
    path("lists/<str:code>/", views.list_detail, name="list"),
    path("lists/<str:code>/export.xlsx", views.list_export, name="list_export"),
    path("lists/<str:code>/import/", views.list_import, name="list_import"),
    path("lists/<str:code>/publish/", views.list_publish, name="list_publish"),
    path("lists/minutes/<int:pk>/", views.list_minutes, name="list_minutes"),
    path("catalog/items/<str:code>/cancel/", views.item_cancel, name="item_cancel"),
]
