"""`kms-contract`: run the contract suite or render its reports again.

A thin shell over `contract_tests.runner`. Exceptions become exit codes in
exactly one place, `invoke`, which tests call without exiting the process.
Help text is chosen before click parses, so `--lang zh-CN --help` is Chinese.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
from hypothesis.configuration import set_hypothesis_home_dir
from rich.console import Console

from contract_tests import junit
from contract_tests.errors import ContractSuiteError, ExitCode, NotAKms, UsageError, exit_code_for
from contract_tests.messages import message
from contract_tests.outputs import could_not_run_results, prepare_report_dir
from contract_tests.runner import DEFAULT_MAX_EXAMPLES, VIEWS, RunConfig, run
from contract_tests.summary import print_summary, progress_line
from mock_server.i18n import lang_from_argv

logger = logging.getLogger("kms_contract")

DEFAULT_REPORT_DIR = Path("reports/out")
MOCK_LOGGER = "kms_mock"
MOCK_LOG_NAME = "mock.log"
HYPOTHESIS_DIR_NAME = ".hypothesis"
FC = TypeVar("FC", bound=Callable[..., Any])


def build_cli(lang: str) -> click.Group:
    """Build the command group with help text in `lang`."""
    group = click.Group("kms-contract", help=message("cli.help", lang))
    # Accepted before the subcommand too (`kms-contract --lang zh-CN run`); `invoke` reads it from argv.
    group.params.append(
        click.Option(
            ["--lang", "lang_option"],
            type=click.Choice(["en", "zh-CN"]),
            default=None,
            help=message("opt.lang", lang),
        )
    )
    group.add_command(_run_command(lang))
    group.add_command(_report_command(lang))
    return group


def _lang_option(lang: str) -> Callable[[FC], FC]:
    # Read before click parses (see `invoke`); declared here so that click accepts it and lists it in help.
    return click.option(
        "--lang",
        "lang_option",
        type=click.Choice(["en", "zh-CN"]),
        default=None,
        help=message("opt.lang", lang),
    )


def _run_command(lang: str) -> click.Command:
    @click.command("run", help=message("run.help", lang))
    @click.option("--url", default=None, help=message("opt.url", lang))
    @click.option(
        "--view",
        type=click.Choice(VIEWS),
        default="extended",
        show_default=True,
        help=message("opt.view", lang),
    )
    @click.option("--allow-writes", is_flag=True, help=message("opt.allow_writes", lang))
    @click.option(
        "--max-examples",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_EXAMPLES,
        show_default=True,
        help=message("opt.max_examples", lang),
    )
    @click.option("--seed", type=int, default=None, help=message("opt.seed", lang))
    @click.option("--header", "headers", multiple=True, help=message("opt.header", lang))
    @click.option(
        "--report-dir",
        type=click.Path(),
        default=str(DEFAULT_REPORT_DIR),
        show_default=True,
        help=message("opt.report_dir", lang),
    )
    @_lang_option(lang)
    @click.option("--gaps-ok", is_flag=True, help=message("opt.gaps_ok", lang))
    def run_command(
        url: str | None,
        view: str,
        allow_writes: bool,
        max_examples: int,
        seed: int | None,
        headers: tuple[str, ...],
        report_dir: str,
        lang_option: str | None,
        gaps_ok: bool,
    ) -> int:
        check_url(url, lang)
        config = RunConfig(
            url=url,
            view=view,
            allow_writes=allow_writes,
            max_examples=max_examples,
            seed=seed,
            headers=parse_headers(headers, lang),
        )
        return run_and_write(config, report_dir_path(report_dir, lang), lang, gaps_ok)

    return run_command


def _report_command(lang: str) -> click.Command:
    @click.command("report", help=message("report.help", lang))
    @click.argument("results_path", metavar="RESULTS", type=click.Path(exists=True, path_type=Path))
    @click.option("--out", type=click.Path(path_type=Path), default=None, help=message("opt.out", lang))
    @_lang_option(lang)
    def report_command(results_path: Path, out: Path | None, lang_option: str | None) -> int:
        results = load_results(results_path, lang)
        out_dir = out if out is not None else results_path.parent
        written = write_outputs(results, out_dir, lang, Console(stderr=True))
        names = ", ".join(path.name for path in written)
        text = message("report.written", lang, files=names, folder=out_dir)
        Console(stderr=True).print(text, markup=False, soft_wrap=True)
        return int(ExitCode.HOLDS)

    return report_command


def parse_headers(values: Sequence[str], lang: str) -> dict[str, str]:
    """Parse repeated `NAME:VALUE` options into a header dictionary."""
    headers = {}
    for value in values:
        name, separator, content = value.partition(":")
        if not separator or not name.strip():
            raise UsageError(message("error.header", lang, value=value))
        headers[name.strip()] = content.strip()
    return headers


def check_url(url: str | None, lang: str) -> None:
    """Refuse a URL whose port cannot exist before any request is made."""
    if url is None:
        return
    try:
        _ = urlsplit(url).port
    except ValueError as error:
        raise UsageError(message("error.url_port", lang, url=url)) from error


def report_dir_path(value: str, lang: str) -> Path:
    """Turn the --report-dir text into a path; an empty text is a mistake, not the working folder."""
    if not value.strip():
        raise UsageError(message("error.report_dir.empty", lang))
    return Path(value)


def run_and_write(config: RunConfig, report_dir: Path, lang: str, gaps_ok: bool) -> int:
    """Run the suite, write every output and print the summary; return the exit code."""
    errors = Console(stderr=True)
    prepare_report_dir(report_dir, lang)
    # hypothesis caches data in a .hypothesis folder; keep it beside the results, not in the user's folder.
    set_hypothesis_home_dir(report_dir / HYPOTHESIS_DIR_NAME)
    if config.url is None:
        route_logger_to_file(MOCK_LOGGER, report_dir / MOCK_LOG_NAME)
    try:
        with progress_line(errors, lang) as progress:
            config.progress = progress
            run_results = run(config)
    except Exception as error:
        if exit_code_for(error) is ExitCode.COULD_NOT_RUN:
            # Leave CI a red results.json and junit.xml instead of nothing (or a stale green one).
            failed = could_not_run_results(config.url, config.view, config.seed, error)
            write_outputs(failed, report_dir, lang, errors)
        raise
    results = run_results.to_dict(gaps_ok=gaps_ok)
    results["spec_comparison"] = compare_with_target(run_results.target_document, config.url)
    write_outputs(results, report_dir, lang, errors)
    print_summary(Console(), results, report_dir, lang)
    return int(results["summary"]["exit_code"])


def route_logger_to_file(logger_name: str, path: Path) -> None:
    """Send the records of `logger_name` to `path` only, for the rest of the process.

    The in-process mock logs every webhook retry and cancelled delivery, some of them while the
    process exits. On the console they would bury the progress line and the summary. A handler
    left by an earlier call in the same process is replaced.
    """
    target = logging.getLogger(logger_name)
    for old in [handler for handler in target.handlers if getattr(handler, "kms_contract_file", False)]:
        target.removeHandler(old)
        old.close()
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.kms_contract_file = True  # type: ignore[attr-defined]
    target.addHandler(handler)
    target.propagate = False
    target.setLevel(logging.INFO)


def compare_with_target(target_document: dict[str, Any] | None, url: str | None) -> dict[str, Any] | None:
    """Compare the target's /openapi.json with the spec; None without the document or reports.compare."""
    if target_document is None:
        return None
    try:
        from reports.compare import compare_documents  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        logger.info("reports.compare is not available; spec_comparison left empty")
        return None
    import spec

    source = f"{url or 'in-process mock'}/openapi.json"
    return {"source": source, "differences": compare_documents(spec.load_spec(), target_document)}


def write_outputs(results: dict[str, Any], out_dir: Path, lang: str, console: Console) -> list[Path]:
    """Write results.json and junit.xml, then the reports if the reports package is there.

    Returns the written paths.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.json"
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written = [results_path, junit.write_junit(results, out_dir / "junit.xml")]
    try:
        from reports import render
    except ImportError as error:
        console.print(message("reports.absent", lang, error=error), markup=False)
        return written
    try:
        rendered = render(results, out_dir)
    except Exception as error:  # noqa: BLE001 - the verdict stands even when a report cannot be drawn
        logger.error("rendering the reports into %s failed: %r", out_dir, error)
        console.print(message("reports.failed", lang, error=repr(error)), markup=False)
        return written
    return written + [path for path in rendered if path not in written]


def load_results(path: Path, lang: str) -> dict[str, Any]:
    try:
        results = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(message("error.results", lang, path=path, detail=error)) from error
    if not isinstance(results, dict) or results.get("schema_version") != 1:
        raise UsageError(message("error.results", lang, path=path, detail="schema_version is not 1"))
    _validate_results(results, path, lang)
    return results


def _validate_results(results: dict[str, Any], path: Path, lang: str) -> None:
    """Reject a results file that breaks the schema before junit.xml or a report reads it."""
    try:
        from reports.validation import InvalidResults, validate_results
    except ImportError:
        logger.info("reports.validation is not available; %s is rendered unchecked", path)
        return
    try:
        validate_results(results)
    except InvalidResults as error:
        raise UsageError(message("error.results", lang, path=path, detail=error)) from error


def invoke(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; the one place that maps errors to exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = lang_from_argv(args)
    errors = Console(stderr=True)
    try:
        returned = build_cli(lang).main(args=args, prog_name="kms-contract", standalone_mode=False)
    except click.exceptions.Exit as exit_request:
        return int(exit_request.exit_code)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE)
    except click.exceptions.Abort:
        return int(ExitCode.COULD_NOT_RUN)
    except NotAKms as error:
        text = message(
            f"error.not_kms.{error.finding}",
            lang,
            url=error.base_url,
            probed=error.probed,
            answer=error.answer,
        )
        errors.print(message("error.headline", lang, detail=text), markup=False)
        errors.print(message("error.tip.not_kms", lang), markup=False)
        return int(error.exit_code)
    except ContractSuiteError as error:
        code = exit_code_for(error)
        tip = "error.tip.usage" if code is ExitCode.USAGE else "error.tip.run"
        errors.print(message("error.headline", lang, detail=error), markup=False)
        errors.print(message(tip, lang, command=_command_name(args)), markup=False)
        return int(code)
    except Exception as error:  # noqa: BLE001 - the one boundary that turns a crash into an exit code
        logger.exception("kms-contract stopped on an unexpected error")
        errors.print(message("error.internal", lang, detail=repr(error)), markup=False)
        return int(ExitCode.COULD_NOT_RUN)
    return int(returned) if isinstance(returned, int) else int(ExitCode.HOLDS)


def _command_name(args: Sequence[str]) -> str:
    """Return the subcommand named in `args`, so a tip points at the help of the command that failed."""
    commands = [arg for arg in args if arg in ("run", "report")]
    return commands[0] if commands else "run"


def main() -> None:
    """Entry point of the `kms-contract` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(invoke())
