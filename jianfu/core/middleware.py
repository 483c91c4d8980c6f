import json

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
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


class RefuseNulMiddleware:
    """A NUL character cannot be stored in PostgreSQL text (psycopg raises DataError, a 500): a request
    that carries one in its path, query string or a text body is refused here with a 400, before any
    view or API operation reads it. Multipart bodies carry binary files; the forms check their fields."""

    MESSAGE = "请求无效：含有空字符（NUL），无法保存"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_request", "message": self.MESSAGE}, status=400)
            return render(request, "core/refused.html", {"message": self.MESSAGE}, status=400)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        kind = request.content_type or ""
        if request.method in ("GET", "HEAD", "OPTIONS") or kind.startswith("multipart/"):
            return False
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE; cached for the view
        if kind == "application/x-www-form-urlencoded":
            return b"%00" in body or b"\x00" in body
        return b"\x00" in body or (kind.endswith("json") and "\x00" in _json_strings(body))


def _json_strings(body: bytes) -> str:
    """Every string of a JSON body (keys and values) joined, or "" when it is not JSON (the parser
    that reads it answers that)."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(k for k in value if isinstance(k, str))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return "".join(found)
