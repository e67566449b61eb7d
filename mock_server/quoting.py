"""Quote ids and other user values inside error messages, as the client sent them.

Python's `repr` escapes every character it does not consider printable, so an
id such as "\U000a685a" came back as its escape sequence and a user could not
match it to what they sent. `quote_id` escapes only what would make the text
ambiguous (the quote, the backslash and control characters, in JSON's style)
and keeps the single quotes of the documented messages, e.g.
`Organization 'acme' not found`.
"""

from __future__ import annotations

import json


def quote_id(value: object) -> str:
    """Return `value` in single quotes, escaping only quotes, backslashes and control characters."""
    text = value if isinstance(value, str) else str(value)
    # With ensure_ascii off, json.dumps escapes only the backslash, the double quote and control
    # characters. Inside single quotes the double quote needs no escape, but the single quote does.
    inner = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{inner}'"
