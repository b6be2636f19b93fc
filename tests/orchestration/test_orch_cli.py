"""The `softspam` command line: help, exit codes, one-line reasons (docs/formats.md section 4)."""

import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.assets.dbt import DbtBuildError
from orchestration.cli import build_parser, main
from orchestration.cli.run import CannotRun, _without_class_path
from orchestration.config import ConfigError
from orchestration.errors import SoftspamError
from orchestration.ingestion import IngestionError
from orchestration.reports.warehouse import ReportError
from orchestration.run_lock import WarehouseLockedError

COMMANDS = ("run", "demo", "check-audience", "trail", "evidence")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: softspam {command}" in capsys.readouterr().out


def test_run_options_match_the_contract():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    options = {option for action in run._actions for option in action.option_strings}
    assert {"--landing", "--warehouse", "--output", "--as-of", "--policy", "--fail-on-violations"} <= options


def test_console_script_help():
    softspam = Path(sys.executable).with_name("softspam")
    completed = subprocess.run([str(softspam), "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    for command in COMMANDS:
        assert command in completed.stdout


def test_bad_policy_file_is_one_line_and_non_zero(tmp_path):
    policy = tmp_path / "policy.yml"
    policy.write_text("opposition_grace_hours: 0\nretention_years: 10\n")
    softspam = Path(sys.executable).with_name("softspam")
    completed = subprocess.run(
        [
            str(softspam),
            "run",
            "--landing",
            str(tmp_path),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--policy",
            str(policy),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "could not run" in lines[0] and "retention_years" in lines[0]
    assert completed.stdout == ""
    assert not (tmp_path / "w.duckdb").exists()


def test_missing_policy_file_is_one_line(tmp_path, capsys):
    code = main(["run", "--landing", str(tmp_path), "--policy", str(tmp_path / "absent.yml")])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_as_of_is_one_line(tmp_path, capsys):
    code = main(["run", "--landing", str(tmp_path), "--as-of", "yesterday"])
    assert code == 2
    assert "--as-of 'yesterday' is not an ISO 8601 timestamp" in capsys.readouterr().err


def test_missing_landing_folder_is_one_line(tmp_path, capsys):
    code = main(["run", "--landing", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == f"softspam run: could not run: landing folder {tmp_path / 'nope'} does not exist"
    )


def test_check_audience_requires_category(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check-audience", "audience.csv"])
    assert exit_info.value.code == 2
    assert "--category" in capsys.readouterr().err


def test_demo_writes_a_landing_folder(tmp_path, capsys):
    assert main(["demo", "--scale", "3", "--out", str(tmp_path / "landing"), "--seed", "7"]) == 0
    assert f"demo landing folder written to {tmp_path / 'landing'}" in capsys.readouterr().out
    assert any((tmp_path / "landing" / "sends").iterdir())


class _PlannedError(SoftspamError):
    """A user error this test defines: recognised without being listed anywhere."""


def test_every_user_error_is_a_softspam_error():
    for error in (ConfigError, IngestionError, ReportError, WarehouseLockedError, CannotRun, DbtBuildError):
        assert issubclass(error, SoftspamError)


def test_step_errors_show_a_user_errors_message_alone():
    assert _without_class_path(f"{__name__}._PlannedError: fix this") == "fix this"
    assert _without_class_path("dagster._core.definitions.events.Failure: said") == "said"
    assert _without_class_path("builtins.KeyError: 'x'") == "KeyError: 'x'"
