from ninja.security import HttpBearer, django_auth

from jianfu.orgs.models import ApiToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` as printed by `manage.py issue_token`."""

    def authenticate(self, request, token: str):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


# Either a browser session or a token; without one, protected endpoints answer 401.
SESSION_OR_TOKEN = [django_auth, BearerToken()]
