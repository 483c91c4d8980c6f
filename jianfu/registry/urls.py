from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("grid/", views.my_grid, name="grid"),
    path("import/", views.import_people, name="import"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<str:number>/decide/", views.export_decide, name="export_decide"),
    path("exports/<str:number>/download/", views.export_download, name="export_download"),
]
