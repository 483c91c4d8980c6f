from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "core/home.html")


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
