from django.urls import path

from . import check_views, views

app_name = "access"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.application_new, name="new"),
    path("meetings/", views.meetings, name="meetings"),
    path("review-duties/", views.review_duties, name="review_duties"),
    path("check/", views.check, name="check"),
    path("check/refuse/", views.refuse, name="refuse"),
    path("receipt/", check_views.public_receipt, name="public_receipt"),
    path("violations/", views.violations, name="violations"),
    path("violations/<str:number>/", views.violation_detail, name="violation"),
    path("violations/<str:number>/receipt/", views.receipt, name="receipt"),
    path("<str:number>/", views.application_detail, name="detail"),
    path("<str:number>/edit/", views.application_edit, name="edit"),
    path("<str:number>/opinion/<int:consultation_id>/", views.opinion, name="opinion"),
    path("<str:number>/attach/", views.attach, name="attach"),
    path("<str:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<str:number>/decision-document/", views.decision_document, name="decision_document"),
    path("<str:number>/<str:action>/", views.application_action, name="action"),
]
