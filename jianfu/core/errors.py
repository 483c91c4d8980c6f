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


class RefusedAtGate(DomainError):
    """The gate kept work from communities (非准不入). Besides the message it carries what arrived —
    who sent it, the kind, the item and each community refused with why — so that the refusal is kept
    as an arrival (access/arrivals.py `keeps_refusals`) after the refused transaction rolled back."""

    def __init__(self, message: str, *, code: str, sender, kind: str, item, refused: dict):
        super().__init__(message, code=code)
        self.sender, self.kind, self.item, self.refused = sender, kind, item, refused
