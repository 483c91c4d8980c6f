from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.home, name="home"),
    path("elements/", views.elements, name="elements"),
    path("elements/<int:pk>/", views.element, name="element"),
    path("elements/<int:pk>/activate/", views.element_activate, name="element_activate"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template, name="template"),
    path("templates/<int:pk>/action/", views.template_action, name="template_action"),
    path("templates/<int:pk>/export.xlsx", views.template_export, name="template_export"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/action/", views.submission_action, name="submission_action"),
    path("submissions/<int:pk>/export.xlsx", views.submission_export, name="submission_export"),
    path("import/", views.import_values, name="import"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("caps/", views.caps, name="caps"),
]
