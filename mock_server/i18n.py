"""Language choice and message catalogues for both command-line tools.

The first users read Chinese, so every message a person reads exists in English
and Simplified Chinese. The language comes from `--lang`, else from `LANG`
(any `zh*` value selects Chinese), else English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

SUPPORTED = ("en", "zh-CN")

Catalogue = Mapping[str, Mapping[str, str]]


def normalise_lang(value: str | None) -> str | None:
    """Map `zh`, `zh_CN.UTF-8`, `en_US` and the like onto a supported tag."""
    if not value:
        return None
    lowered = value.strip().lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh-CN"
    if lowered.startswith("en") or lowered in ("c", "posix", "c.utf-8"):
        return "en"
    return None


def resolve_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Pick the language: an explicit choice first, then `LANG`, then English."""
    chosen = normalise_lang(explicit)
    if chosen:
        return chosen
    env = os.environ if environ is None else environ
    return normalise_lang(env.get("LANG")) or "en"


def lang_from_argv(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """Find `--lang X` or `--lang=X` before click parses, so help text can be translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return resolve_lang(argv[index + 1], environ)
        if arg.startswith("--lang="):
            return resolve_lang(arg.split("=", 1)[1], environ)
    return resolve_lang(None, environ)


def translate(catalogue: Catalogue, key: str, lang: str, **values: object) -> str:
    """Return the message `key` in `lang`, formatted with `values`; English if untranslated."""
    entry = catalogue[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**values)
