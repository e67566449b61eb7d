"""Fixture documents: seed data for the mock, from a YAML or JSON file or a request body.

A document has four optional lists, applied in this order:

    organizations: [{c_organization_id, quota}]
    teams:         [{c_organization_id, c_team_id, quota}]
    keys:          [{c_organization_id, key_type, c_team_id?, c_user_id?, quota, key_id?}]
    usage:         [{key_id, amount}]

A key may fix its `key_id` so that `usage` entries can name it. Every value is
checked here, before the store changes, and an error names the file and the
entry, e.g. `seed.yaml: keys[2].quota: ...`. YAML numbers with a fraction are
read as `Decimal`, never as float, so `quota: 10.10` keeps both digits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import Invalid
from mock_server.money import parse_money
from mock_server.rules import check_c_id, check_key_fields

EXAMPLE_FIXTURE = "fixtures/example.yaml"

_SECTIONS: dict[str, tuple[set[str], set[str]]] = {
    # section: (required fields, optional fields)
    "organizations": ({"c_organization_id", "quota"}, set()),
    "teams": ({"c_organization_id", "c_team_id", "quota"}, set()),
    "keys": ({"c_organization_id", "key_type", "quota"}, {"c_team_id", "c_user_id", "key_id"}),
    "usage": ({"key_id", "amount"}, set()),
}


class FixtureError(ValueError):
    """An invalid fixture document; `loc` is the path to the entry and field."""

    def __init__(self, source: str, loc: Sequence[str | int], message: str, value: object = None) -> None:
        self.source = source
        self.loc = tuple(loc)
        self.message = message
        self.value = value
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.source}: {_format_loc(self.loc)}: {self.message}"


@dataclass(frozen=True)
class OrganizationEntry:
    c_organization_id: str
    quota: Decimal


@dataclass(frozen=True)
class TeamEntry:
    c_organization_id: str
    c_team_id: str
    quota: Decimal


@dataclass(frozen=True)
class KeyEntry:
    c_organization_id: str
    key_type: str
    c_team_id: str | None
    c_user_id: str | None
    quota: Decimal
    key_id: str | None


@dataclass(frozen=True)
class UsageEntry:
    key_id: str
    amount: Decimal


@dataclass(frozen=True)
class FixtureDocument:
    organizations: list[OrganizationEntry] = field(default_factory=list)
    teams: list[TeamEntry] = field(default_factory=list)
    keys: list[KeyEntry] = field(default_factory=list)
    usage: list[UsageEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "organizations": len(self.organizations),
            "teams": len(self.teams),
            "keys": len(self.keys),
            "usage": len(self.usage),
        }


def load_fixture_file(path: Path) -> dict[str, Any]:
    """Read and check a fixture file (`.json`, else YAML); return the document."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FixtureError(source, (), f"the file cannot be read ({error})") from error
    document = _parse_text(text, source, is_json=path.suffix.lower() == ".json")
    parse_document(document, source)
    assert isinstance(document, dict)
    return document


def example_fixture() -> dict[str, Any]:
    """Return the example fixture document shipped with the package."""
    with resources.as_file(resources.files("mock_server") / EXAMPLE_FIXTURE) as path:
        return load_fixture_file(path)


def parse_document(document: object, source: str) -> FixtureDocument:
    """Check every entry of a fixture document; `source` names it in error messages."""
    if not isinstance(document, Mapping):
        raise FixtureError(
            source, (), f"expected a mapping with {', '.join(_SECTIONS)}, got {_kind(document)}"
        )
    unknown = sorted(str(name) for name in document if name not in _SECTIONS)
    if unknown:
        raise FixtureError(source, (unknown[0],), f"unknown section; expected one of {', '.join(_SECTIONS)}")
    entries = {name: _entries(document, name, source) for name in _SECTIONS}
    return FixtureDocument(
        organizations=[
            _organization(entry, ("organizations", i), source) for i, entry in entries["organizations"]
        ],
        teams=[_team(entry, ("teams", i), source) for i, entry in entries["teams"]],
        keys=[_key(entry, ("keys", i), source) for i, entry in entries["keys"]],
        usage=[_usage(entry, ("usage", i), source) for i, entry in entries["usage"]],
    )


def _entries(document: Mapping[Any, Any], name: str, source: str) -> list[tuple[int, Mapping[str, object]]]:
    """Return a section's entries with their index, checking each has exactly the allowed fields."""
    section = document.get(name)
    if section is None:
        return []
    if not isinstance(section, list):
        raise FixtureError(source, (name,), f"expected a list of entries, got {_kind(section)}")
    required, optional = _SECTIONS[name]
    checked = []
    for index, entry in enumerate(section):
        if not isinstance(entry, Mapping):
            raise FixtureError(source, (name, index), f"expected a mapping, got {_kind(entry)}")
        missing = sorted(required - set(entry))
        if missing:
            raise FixtureError(source, (name, index), f"missing field {missing[0]!r}")
        extra = sorted(str(field_name) for field_name in set(entry) - required - optional)
        if extra:
            allowed = ", ".join(sorted(required | optional))
            raise FixtureError(
                source, (name, index, extra[0]), f"unknown field; allowed fields are {allowed}"
            )
        checked.append((index, entry))
    return checked


def _organization(entry: Mapping[str, object], where: tuple[str, int], source: str) -> OrganizationEntry:
    with _reported(where, source):
        return OrganizationEntry(
            check_c_id("c_organization_id", entry["c_organization_id"]), _money("quota", entry["quota"])
        )


def _team(entry: Mapping[str, object], where: tuple[str, int], source: str) -> TeamEntry:
    with _reported(where, source):
        return TeamEntry(
            check_c_id("c_organization_id", entry["c_organization_id"]),
            check_c_id("c_team_id", entry["c_team_id"]),
            _money("quota", entry["quota"]),
        )


def _key(entry: Mapping[str, object], where: tuple[str, int], source: str) -> KeyEntry:
    with _reported(where, source):
        team_id, user_id, key_id = entry.get("c_team_id"), entry.get("c_user_id"), entry.get("key_id")
        kind = check_key_fields(entry["key_type"], team_id, user_id)
        if key_id is not None:
            _check_key_id(key_id)
        return KeyEntry(
            check_c_id("c_organization_id", entry["c_organization_id"]),
            kind.value,
            None if team_id is None else str(team_id),
            None if user_id is None else str(user_id),
            _money("quota", entry["quota"]),
            None if key_id is None else str(key_id),
        )


def _usage(entry: Mapping[str, object], where: tuple[str, int], source: str) -> UsageEntry:
    with _reported(where, source):
        return UsageEntry(_check_key_id(entry["key_id"]), _money("amount", entry["amount"]))


def _check_key_id(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 128 or "/" in value:
        raise Invalid(
            ("body", "key_id"), f"key_id must be a string of 1 to 128 characters without '/', got {value!r}"
        )
    return value


def _money(field_name: str, value: object) -> Decimal:
    try:
        return parse_money(value)
    except ValueError as error:
        raise Invalid(("body", field_name), str(error), value) from error


class _reported:
    """Turn an `Invalid` raised while reading one entry into a `FixtureError` naming it."""

    def __init__(self, where: tuple[str, int], source: str) -> None:
        self.where = where
        self.source = source

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: object
    ) -> None:
        if isinstance(error, Invalid):
            raise FixtureError(self.source, (*self.where, *error.loc[1:]), error.msg, error.value) from error


def _parse_text(text: str, source: str, is_json: bool) -> object:
    try:
        if is_json:
            return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        return yaml.load(text, Loader=_DecimalLoader)
    except (ValueError, yaml.YAMLError) as error:
        raise FixtureError(
            source, (), f"the file is not valid {'JSON' if is_json else 'YAML'} ({error})"
        ) from error


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a valid money value")


class _DecimalLoader(yaml.SafeLoader):
    """A safe YAML loader that reads numbers with a fraction as `Decimal`."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        # `.inf` and `.nan` have no Decimal spelling; parse_money rejects the text with a clear message.
        return text


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _format_loc(loc: Sequence[str | int]) -> str:
    if not loc:
        return "document"
    text = str(loc[0])
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
