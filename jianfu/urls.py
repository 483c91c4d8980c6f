from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from jianfu.api.main import api
from jianfu.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("orgs/", include("jianfu.orgs.urls")),
    path("audit/", include("jianfu.audit.urls")),
    path("access/", include("jianfu.access.urls")),
    path("registry/", include("jianfu.registry.urls")),
    path("orders/", include("jianfu.orders.urls")),
    path("ledger/", include("jianfu.ledger.urls")),
    # One home for deliberation records (issue 18): the certificates' old page is the records page.
    path("certificates/deliberations/", RedirectView.as_view(pattern_name="portal:records", permanent=True)),
    path("certificates/", include("jianfu.certificates.urls")),
    path("evaluation/", include("jianfu.evaluation.urls")),
    # One public community page (issue 18): the cases' old page of commitments is the portal's.
    path("cases/community/<str:code>/", RedirectView.as_view(pattern_name="portal:community", permanent=True)),
    path("cases/commitments/", RedirectView.as_view(pattern_name="portal:commitments", query_string=True)),
    path("cases/", include("jianfu.cases.urls")),
    path("monitor/", include("jianfu.monitor.urls")),
    path("portal/", include("jianfu.portal.urls")),
    path("calendar/", include("jianfu.ops.urls")),
    path("open311/v2/", include("jianfu.cases.open311_urls")),
    path("", include("jianfu.catalog.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
