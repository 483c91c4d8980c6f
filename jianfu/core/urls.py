from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    path("<int:year>/import/", views.calendar_import, name="calendar_import"),
]
