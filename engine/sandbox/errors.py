"""API errors as the Kubernetes API server reports them (a Status object with code and reason)."""
from __future__ import annotations

from typing import Any


class APIError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": self.message, "code": self.code}
        if self.reason:
            body["reason"] = self.reason
        if self.details:
            body["details"] = self.details
        return body


def not_found(resource: str, name: str, group: str = "") -> APIError:
    qualified = f"{resource}.{group}" if group else resource
    return APIError(404, "NotFound", f'{qualified} "{name}" not found',
                    {"name": name, "group": group, "kind": resource})


def already_exists(resource: str, name: str, group: str = "") -> APIError:
    qualified = f"{resource}.{group}" if group else resource
    return APIError(409, "AlreadyExists", f'{qualified} "{name}" already exists',
                    {"name": name, "group": group, "kind": resource})


class ConcurrentWrite(APIError):
    """Another write landed between reading an object and storing its new state (a patch without a
    resourceVersion precondition is retried, as kube-apiserver's update loop retries it)."""


def conflict(resource: str, name: str, group: str = "", why: str = "") -> APIError:
    qualified = f"{resource}.{group}" if group else resource
    text = why or "the object has been modified; please apply your changes to the latest version and try again"
    return APIError(409, "Conflict", f'Operation cannot be fulfilled on {qualified} "{name}": {text}',
                    {"name": name, "group": group, "kind": resource})


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def invalid(kind: str, name: str, message: str, group: str = "") -> APIError:
    return APIError(422, "Invalid", f'{kind} "{name}" is invalid: {message}',
                    {"name": name, "group": group, "kind": kind})
