"""`kms-mock`: serve the mock KMS with uvicorn.

The command is a thin shell: it merges options over `KMS_MOCK_*` variables into
`MockSettings`, builds the app with `create_app` and hands it to uvicorn, which
also handles SIGINT and SIGTERM with a clean shutdown. Start-up problems the
user can fix (a bad setting, an unusable state file or fixture file) end with
one line on stderr and exit status 1 or 2, never a traceback.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import click
import uvicorn

from mock_server.config import LOG_LEVELS, PROFILES, MockSettings, parse_schedule, settings_from_env
from mock_server.errors import KmsError, StateFileError
from mock_server.faults import FaultConfigError
from mock_server.fixtures import FixtureError
from mock_server.i18n import SUPPORTED, lang_from_argv, translate
from mock_server.messages import MESSAGES

logger = logging.getLogger("kms_mock")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `kms-mock` console script and of `python -m mock_server`."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = lang_from_argv(args)
    build_command(lang).main(args=args, prog_name="kms-mock")


def build_command(lang: str) -> click.Command:
    """Build the click command with help text in `lang`."""

    def text(key: str) -> str:
        return translate(MESSAGES, key, lang)

    params: list[click.Parameter] = [
        click.Option(["--host"], help=text("host_help")),
        click.Option(["--port"], type=click.IntRange(0, 65535), help=text("port_help")),
        click.Option(["--profile"], type=click.Choice(PROFILES), help=text("profile_help")),
        click.Option(
            ["--state-file"], type=click.Path(path_type=Path, dir_okay=False), help=text("state_file_help")
        ),
        click.Option(
            ["--fixtures"], type=click.Path(path_type=Path, dir_okay=False), help=text("fixtures_help")
        ),
        click.Option(["--strict/--no-strict"], default=None, help=text("strict_help")),
        click.Option(["--lang"], type=click.Choice(SUPPORTED), help=text("lang_help")),
        click.Option(
            ["--log-level"], type=click.Choice(LOG_LEVELS, case_sensitive=False), help=text("log_level_help")
        ),
        *fault_and_webhook_options(text),
    ]
    return TranslatedCommand(
        "kms-mock",
        params=params,
        callback=lambda **options: run(options, lang),
        help=text("command_help"),
        help_option_text=text("help_option_help"),
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )


class TranslatedCommand(click.Command):
    """A click command whose built-in --help option describes itself in the chosen language."""

    def __init__(self, *args: Any, help_option_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_option_text = help_option_text

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = self.help_option_text
        return option


def fault_and_webhook_options(text: Callable[[str], str]) -> list[click.Parameter]:
    """Options of the fault and webhook extensions; each maps onto one MockSettings field."""
    return [
        click.Option(
            ["--fault", "faults"],
            multiple=True,
            callback=_none_if_empty,
            metavar="SPEC",
            help=text("fault_help"),
        ),
        click.Option(
            ["--faults-file", "fault_file"],
            type=click.Path(path_type=Path, dir_okay=False),
            help=text("faults_file_help"),
        ),
        click.Option(["--seed"], type=int, help=text("seed_help")),
        click.Option(
            ["--webhook-allowed-host", "webhook_allowed_hosts"],
            multiple=True,
            callback=_none_if_empty,
            metavar="HOST",
            help=text("webhook_allowed_host_help"),
        ),
        click.Option(
            ["--webhook-retry-schedule"],
            callback=_retry_schedule,
            metavar="SECONDS,...",
            help=text("webhook_retry_schedule_help"),
        ),
    ]


def _none_if_empty(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...] | None:
    # An absent repeatable option must not override its KMS_MOCK_* variable with an empty tuple.
    return value or None


def _retry_schedule(
    _ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return parse_schedule("--webhook-retry-schedule", value)
    except ValueError as error:
        raise click.BadParameter(str(error), param=param) from None


def run(options: dict[str, Any], lang: str) -> None:
    """Merge settings, build the app and serve it until uvicorn stops."""
    try:
        settings = settings_from_env().replace(**options)
    except ValueError as error:
        raise click.UsageError(translate(MESSAGES, "invalid_setting", lang, error=error)) from None
    configure_logging(settings.log_level)
    # Build first, so that a bad fault, fixture or state file is reported as such even when the
    # port is also taken. If the port check fails, the store is closed again.
    app = build_app(settings, lang)
    try:
        check_port_free(settings, lang)
    except SystemExit:
        app.state.runtime.store.close()
        raise
    if not settings.is_loopback:
        logger.warning("%s", translate(MESSAGES, "non_loopback_warning", lang, host=settings.host))
    logger.info(
        "kms-mock starting on http://%s:%d (profile %s, state %s, strict %s)",
        settings.host,
        settings.port,
        settings.profile,
        settings.state_file or "in memory",
        "on" if settings.strict else "off",
    )
    serve(app, settings)


def serve(app: Any, settings: MockSettings) -> None:
    """Run uvicorn until SIGINT or SIGTERM, then exit with status 0."""
    # uvicorn shuts down gracefully on these signals and then raises the signal again so
    # the default action (death by signal, status 143 for SIGTERM) follows. With these
    # handlers in place, the raised signal becomes a normal exit instead.
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level, lifespan="on")
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise
    logger.info("kms-mock stopped")


def exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def check_port_free(settings: MockSettings, lang: str) -> None:
    """Bind the address once before start-up, so a taken port ends with one line, not uvicorn's error.

    NOTE: another process can still take the port between this check and uvicorn's bind.
    """
    if settings.port == 0:
        return
    try:
        families = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)
        family, kind, protocol, _name, address = families[0]
        with socket.socket(family, kind, protocol) as probe:
            # uvicorn sets SO_REUSEADDR too, so a port in TIME_WAIT passes here as it would there.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        key = "port_in_use" if error.errno == errno.EADDRINUSE else "cannot_listen"
        reason = error.strerror or error
        fail(translate(MESSAGES, key, lang, host=settings.host, port=settings.port, reason=reason))


def build_app(settings: MockSettings, lang: str) -> Any:
    """Create the app; report a state or fixture file the mock cannot use as one line, exit 1."""
    from mock_server.app import create_app

    try:
        return create_app(settings)
    except StateFileError as error:
        fail(translate(MESSAGES, "state_file_error", lang, error=error, path=error.path, reason=error.reason))
    except FaultConfigError as error:
        fail(translate(MESSAGES, "faults_error", lang, reason=error))
    except (OSError, ValueError, KmsError) as error:
        reason = getattr(error, "detail", None) or error
        if isinstance(error, FixtureError):
            # The message already names the file; keep the entry and the problem only.
            reason = str(error).removeprefix(f"{error.source}: ")
        fail(translate(MESSAGES, "fixtures_error", lang, path=settings.fixtures, reason=reason))


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def configure_logging(level: str) -> None:
    """Send the mock's log lines to stderr, in the same format whatever uvicorn logs."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    package_logger = logging.getLogger("kms_mock")
    package_logger.handlers[:] = [handler]
    package_logger.setLevel(level.upper())
    package_logger.propagate = False
