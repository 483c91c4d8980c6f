from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError


class ChineseFirstLocaleMiddleware:
    """zh-hans unless the user chose another language with the switch (cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to
    an office whose browsers were installed in English; jianfu is Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class DomainErrorMiddleware:
    """A rule that refused an action (DomainError from a service) becomes a message, in one place.

    A form post goes back to the page it came from (same site only) with the message shown; other
    requests get the message on an error page with the error's status (403 refused, 409 wrong state,
    400 otherwise). Form views that must keep what was typed catch it with core.views.refusals.
    The API has its own handler (api.main), answering JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        back = request.headers.get("Referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, exception.message)
            return redirect(back)
        return render(request, "core/refused.html", {"message": exception.message}, status=exception.status)
