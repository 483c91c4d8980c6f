"""Whole public pages kept in memory for visitors who are nobody in particular: no session, no
pending message, a GET with only the page's own parameters. The page is rendered once per key with a
placeholder where the CSRF token goes, and each visitor gets their own token put in its place, so
forms on a cached page (the language switch) work as on a fresh one. The key must name the data the
page shows (a published version, say), so a stale page is never served."""

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

# What a rendered page holds where a visitor's CSRF token goes: random per process, so that no
# address a visitor can be sent to puts it in a page.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def plain_visitor(request: HttpRequest, params: Iterable[str]) -> bool:
    """A visitor whose page is the same as anybody's: an anonymous full-page GET without a session or
    a message waiting, asking only for `params` (free text such as a search is left out by the
    caller, so the cache holds a bounded number of pages)."""
    return (
        request.method == "GET"
        and not getattr(request, "htmx", False)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and set(request.GET) <= set(params)
    )


def whole_page(request: HttpRequest, key: Iterable[object], template: str, context: Callable[[], dict]) -> HttpResponse:
    """The page for `key`, rendered from `context()` only when it is not in memory yet."""
    parts = [*map(str, key), request.get_full_path(), get_language()]
    cache_key = "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    pages = caches["fragments"]
    body = pages.get(cache_key)  # encoded once: bytes unpickle and substitute faster than text
    if body is None:
        body = render_to_string(template, {**context(), "csrf_token": CSRF_PLACEHOLDER}, request).encode()
        pages.set(cache_key, body)
    return HttpResponse(body.replace(_PLACEHOLDER_BYTES, get_token(request).encode()))
