"""Domain errors of the mock KMS and the state-file error.

The store raises these. The HTTP layer turns a `KmsError` into a response with
`status_code` and the body from `to_json()`, so every handler maps errors the
same way. `Invalid` produces FastAPI's validation shape, because the live KMS is
a FastAPI service and callers parse 422 bodies as a list of errors.

`StateFileError` is not a `KmsError`: it is a start-up problem of the process,
which the CLI reports as one line and a non-zero exit status.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class KmsError(Exception):
    """Base of the errors that the contract maps to an HTTP status and a `detail` body."""

    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def to_json(self) -> dict[str, object]:
        """Return the response body, `{"detail": text}`."""
        return {"detail": self.detail}


class NotFound(KmsError):
    """The named organization, team, key or spend scope does not exist."""

    status_code = 404


class Conflict(KmsError):
    """The request clashes with existing state: a duplicate or an ambiguous id."""

    status_code = 409


class PreconditionFailed(KmsError):
    """An `If-Match` header names an ETag that is no longer current."""

    status_code = 412


class Invalid(KmsError):
    """Input that breaks a rule of the contract, reported in FastAPI's 422 shape.

    `loc` is the path to the offending value, for example `("body", "c_team_id")`.
    """

    status_code = 422

    def __init__(self, loc: Sequence[str | int], msg: str, value: object = None) -> None:
        super().__init__(msg)
        self.loc = tuple(loc)
        self.msg = msg
        self.value = value

    def errors(self) -> list[dict[str, object]]:
        """Return the error list that FastAPI puts under `detail`."""
        return [{"type": "value_error", "loc": list(self.loc), "msg": self.msg, "input": self.value}]

    def to_json(self) -> dict[str, object]:
        """Return `{"detail": [error]}` as FastAPI's request validation does."""
        return {"detail": self.errors()}


class StateFileError(Exception):
    """The SQLite state file cannot be opened, read or written."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"state file {str(self.path)!r} cannot be used: {self.reason}. "
            "Pass another --state-file path, or move this file aside to start with an empty state."
        )
