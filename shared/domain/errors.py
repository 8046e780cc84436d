"""Domain errors. Each names the rule it enforces; the HTTP edge maps them to 409 / 422 / 404."""

from __future__ import annotations


class DomainError(Exception):
    pass


class RuleViolation(DomainError):
    """A step the procedure does not allow now (HTTP 409)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule


class InvalidCommand(DomainError):
    """Input that cannot make an actionable record (HTTP 422); names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownComplaint(DomainError):
    """No complaint with this id (HTTP 404)."""
