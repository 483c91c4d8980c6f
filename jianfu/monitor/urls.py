from django.urls import path

from . import views

app_name = "monitor"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/standards/", views.standards_page, name="standards"),
    path("<str:code>/workload/", views.workload_page, name="workload"),
    path("<str:code>/refresh/", views.refresh, name="refresh"),
    path("<str:code>/report/<int:year>.<str:ext>", views.report, name="report"),
]
