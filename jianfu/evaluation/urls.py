from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="new"),
    path("vote/", views.vote, name="vote"),
    path("vote/ballot/", views.vote_submit, name="vote_submit"),
    path("public/", views.public_index, name="public"),
    path("public/<int:pk>/", views.public_results, name="public_results"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/indicators/", views.indicators_edit, name="indicators"),
    path("<int:pk>/targets/", views.targets_edit, name="targets"),
    path("<int:pk>/action/<str:action>/", views.campaign_action, name="action"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/rate/<int:target_id>/", views.rate_target, name="rate_target"),
    path("<int:pk>/codes/", views.codes, name="codes"),
    path("<int:pk>/codes/<int:community_id>/", views.codes_issue, name="codes_issue"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/targets/<int:target_id>/", views.target_detail, name="target"),
    path("<int:pk>/comments/", views.comments, name="comments"),
    path("<int:pk>/comments/<uuid:comment_id>/", views.comment_moderate, name="comment_moderate"),
    path("<int:pk>/year-end/", views.year_end, name="year_end"),
    path("<int:pk>/year-end/template.xlsx", views.year_end_template, name="year_end_template"),
]
