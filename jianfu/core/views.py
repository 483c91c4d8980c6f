from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .errors import DomainError


@require_GET
def home(request):
    return render(request, "core/home.html")


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


class refusals:
    """Around a service call in a form view that re-renders its form when a rule refuses: the
    refusal becomes a message (what was typed stays in the form), `ok` says whether it went through.

        with refusals(request) as outcome:
            case = services.case_report(...)
        if outcome.ok:
            return redirect(...)
    """

    def __init__(self, request):
        self.request = request
        self.ok = False

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            self.ok = True
            return False
        if isinstance(exc, DomainError):
            messages.error(self.request, exc.message)
            return True
        return False
