"""The app's URLs plus the bare view every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from jianfu.urls import urlpatterns as app_urls


def bare(request):
    """Through the same middleware, knowing who asks (the session and user a page loads too), no
    other query, no template: the floor for a page."""
    return HttpResponse(f"ok {request.user.is_authenticated}", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_urls]
