"""The spec package's loader API, in a source checkout and after a real install."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import spec

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
# Files and folders a source distribution of the project contains, enough for setuptools to build it.
DISTRIBUTION_ENTRIES = ["pyproject.toml", "README.md", "spec", "mock_server", "contract_tests", "reports"]


def test_spec_paths_point_at_packaged_files() -> None:
    assert spec.SPEC_PATH.name == "kms.openapi.yaml"
    assert spec.CONTROL_SPEC_PATH.name == "mock-control.openapi.yaml"
    assert spec.SPEC_PATH.is_file()
    assert spec.CONTROL_SPEC_PATH.is_file()


def test_load_spec_returns_independent_copies() -> None:
    first = spec.load_spec()
    first["info"]["title"] = "changed by a caller"

    assert spec.load_spec()["info"]["title"] != "changed by a caller"


def test_load_control_spec_lists_mock_paths() -> None:
    paths = spec.load_control_spec()["paths"]

    assert all(path.startswith("/_mock/") for path in paths)
    assert "/_mock/usage" in paths


def test_operations_carry_annotations() -> None:
    by_id = {op.operation_id: op for op in spec.operations(spec.load_spec())}

    assert by_id["getOrganization"] == spec.Operation(
        operation_id="getOrganization",
        method="GET",
        path="/organizations/{c_organization_id}",
        availability="proposed",
        priority="high",
        workaround=by_id["getOrganization"].workaround,
    )
    assert by_id["getOrganization"].workaround is not None
    assert by_id["listKeys"].priority is None
    assert by_id["listKeys"].workaround is None


def test_operation_is_frozen() -> None:
    operation = spec.operations(spec.load_spec())[0]

    with pytest.raises(AttributeError):
        operation.path = "/elsewhere"  # type: ignore[misc]


def test_extended_view_is_whole_document_copy() -> None:
    document = spec.load_spec()
    extended = spec.view(document, "extended")

    assert extended == document
    assert extended is not document


def test_live_view_drops_paths_without_live_operations() -> None:
    live = spec.view(spec.load_spec(), "live")

    assert "/health" not in live["paths"]
    assert "/organizations/{c_organization_id}" not in live["paths"]
    assert set(live["paths"]["/organizations/"]) == {"get", "post"}


def test_live_view_keeps_shared_path_parameters() -> None:
    live = spec.view(spec.load_spec(), "live")

    assert live["paths"]["/spend/team/{c_team_id}"]["parameters"]


def test_live_view_leaves_input_untouched() -> None:
    document = spec.load_spec()
    spec.view(document, "live")

    assert "/health" in document["paths"]


def test_unknown_view_names_choices() -> None:
    with pytest.raises(spec.SpecError, match=r"unknown view 'staging'\. Use 'extended' or 'live'\."):
        spec.view(spec.load_spec(), "staging")


def test_operation_without_availability_is_named() -> None:
    document = spec.load_spec()
    del document["paths"]["/health"]["get"]["x-kms-availability"]

    with pytest.raises(spec.SpecError, match="GET /health has no x-kms-availability"):
        spec.operations(document)


def _copy_distribution(destination: pathlib.Path) -> pathlib.Path:
    source = destination / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "out")
    for entry in DISTRIBUTION_ENTRIES:
        origin = REPO_ROOT / entry
        if not origin.exists() and entry == "README.md":
            # NOTE: pyproject names README.md as the long description. This test is
            # about the spec's package data, so a stand-in lets it run without one.
            (source / entry).write_text("kms-contract\n", encoding="utf-8")
        elif origin.is_dir():
            shutil.copytree(origin, source / entry, ignore=ignore)
        else:
            shutil.copy2(origin, source / entry)
    return source


@pytest.mark.slow
def test_installed_package_loads_spec_from_other_directory(tmp_path: pathlib.Path) -> None:
    # Given a non-editable install of a copy of the project into its own directory
    source = _copy_distribution(tmp_path)
    target = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    install += ["--target", str(target), str(source)]
    subprocess.run(install, check=True, capture_output=True, timeout=300, cwd=tmp_path)
    shutil.rmtree(source)

    # When a fresh interpreter imports spec from an unrelated working directory
    probe = textwrap.dedent(
        """
        import spec
        document = spec.load_spec()
        control = spec.load_control_spec()
        print(spec.__file__)
        print(spec.SPEC_PATH)
        print(len(spec.operations(document)), len(control["paths"]))
        """
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(target)}
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workdir,
        env=environment,
    )

    # Then the module and the YAML come from the install, not from the checkout
    assert completed.returncode == 0, completed.stderr
    module_file, spec_path, counts = completed.stdout.splitlines()
    assert pathlib.Path(module_file).is_relative_to(target)
    assert pathlib.Path(spec_path).is_relative_to(target)
    assert counts == f"21 {len(spec.load_control_spec()['paths'])}"
