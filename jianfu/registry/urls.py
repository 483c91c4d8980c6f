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
]
