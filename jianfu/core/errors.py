"""Domain errors: services raise them, views turn them into a message, the API into a 4xx."""


class DomainError(Exception):
    """A business rule refused the action. `message` is shown to the user as is (Chinese first)."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
