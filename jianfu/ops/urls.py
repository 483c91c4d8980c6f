from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    # The year is a query parameter (?year=2027): without it, the first year still missing.
    path("", views.calendar, name="calendar"),
    path("import/", views.calendar_import, name="calendar_import"),
]
