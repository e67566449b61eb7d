"""Shared fixtures live in plugin modules, one concern each."""

pytest_plugins = ["fixtures_inline_app", "fixtures_kms_app"]
