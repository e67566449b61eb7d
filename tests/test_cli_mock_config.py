"""MockSettings: defaults, KMS_MOCK_* variables and invalid values."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.config import MockSettings, settings_from_env


def test_defaults_listen_on_loopback() -> None:
    settings = MockSettings()

    assert (settings.host, settings.port, settings.profile) == ("127.0.0.1", 3090, "extended")
    assert settings.strict is False
    assert settings.is_loopback


def test_every_documented_variable_read() -> None:
    env = {
        "KMS_MOCK_HOST": "::1",
        "KMS_MOCK_PORT": "3091",
        "KMS_MOCK_PROFILE": "live",
        "KMS_MOCK_STATE_FILE": "state.db",
        "KMS_MOCK_FIXTURES": "fixtures.yaml",
        "KMS_MOCK_STRICT": "yes",
        "KMS_MOCK_LANG": "zh-CN",
        "KMS_MOCK_LOG_LEVEL": "DEBUG",
    }

    settings = settings_from_env(env)

    assert settings == MockSettings(
        host="::1",
        port=3091,
        profile="live",
        state_file=Path("state.db"),
        fixtures=Path("fixtures.yaml"),
        strict=True,
        lang="zh-CN",
        log_level="debug",
    )


def test_strict_off_by_variable() -> None:
    assert settings_from_env({"KMS_MOCK_STRICT": "0"}).strict is False


def test_unrelated_variables_ignored() -> None:
    assert settings_from_env({"KMS_MOCK_UNKNOWN": "x", "PORT": "1"}) == MockSettings()


@pytest.mark.parametrize(
    "name,value",
    [
        ("KMS_MOCK_PORT", "99999"),
        ("KMS_MOCK_PROFILE", "staging"),
        ("KMS_MOCK_STRICT", "maybe"),
        ("KMS_MOCK_PORT", "x"),
    ],
)
def test_invalid_variable_names_value(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=value):
        settings_from_env({name: value})


def test_replace_ignores_none() -> None:
    assert MockSettings(port=1).replace(port=None, strict=True) == MockSettings(port=1, strict=True)
