"""Input rules shared by the store and the fixture loader.

Both reject the same ids and key-type combinations with the same messages, so a
fixture file fails at load time exactly where a request would fail.
"""

from __future__ import annotations

import re

from mock_server.errors import Invalid
from mock_server.models import KeyType

C_ID_PATTERN = r"^[^/\x00-\x1f\x7f]{1,128}$"
_C_ID = re.compile(C_ID_PATTERN)
# URL clients remove "." and ".." path segments, so such an id could never be read back by its path.
_DOT_SEGMENTS = frozenset({".", ".."})


def check_c_id(field: str, value: object) -> str:
    """Return a valid `c_*` id, else raise `Invalid` naming the field and the value."""
    if not isinstance(value, str) or not _C_ID.fullmatch(value) or value in _DOT_SEGMENTS:
        raise Invalid(
            ("body", field),
            f"{field} must be a string of 1 to 128 characters without '/' or control characters, "
            f"and not '.' or '..', got {value!r}",
            value,
        )
    return value


def check_key_fields(key_type: object, c_team_id: object, c_user_id: object) -> KeyType:
    """Check the key type and which of c_team_id and c_user_id it requires to be set or null."""
    try:
        kind = KeyType(key_type)
    except ValueError:
        names = ", ".join(member.value for member in KeyType)
        raise Invalid(
            ("body", "key_type"), f"key_type must be one of {names}, got {key_type!r}", key_type
        ) from None
    fields = (("c_team_id", c_team_id, kind.needs_team), ("c_user_id", c_user_id, kind.needs_user))
    for field, value, needed in fields:
        if needed and value is None:
            raise Invalid(("body", field), f"key_type {kind.value} requires {field}", value)
        if not needed and value is not None:
            raise Invalid(
                ("body", field), f"key_type {kind.value} requires {field} to be null, got {value!r}", value
            )
        if value is not None:
            check_c_id(field, value)
    return kind
