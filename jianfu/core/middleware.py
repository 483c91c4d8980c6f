from django.conf import settings
from django.utils import translation


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
