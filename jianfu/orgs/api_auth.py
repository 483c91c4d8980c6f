"""How the JSON API knows its caller: an API token (orgs.ApiToken) or a browser session. Here, beside
the tokens, so that every app's api.py can name it without importing the API package above it."""

from ninja.security import HttpBearer, django_auth

from jianfu.orgs.models import ApiToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` as printed by `manage.py issue_token`."""

    def authenticate(self, request, token: str):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


# Either a token or a browser session; without one, protected endpoints answer 401. The token comes
# first: ninja's session check enforces CSRF and answers 403 on its own, so a token client's POST
# (which has no CSRF cookie) never reached the token check when the session came first.
SESSION_OR_TOKEN = [BearerToken(), django_auth]
