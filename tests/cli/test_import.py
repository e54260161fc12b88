"""``certsvc import``: JSON report shape, exit codes, messages a clerk can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certsvc.cli import main
from certsvc.runtime import Runtime
from tests.services.support import edit, rows_of, sample, table_counts, to_csv


def test_json_output_lists_issued_rows_and_exits_0(
    cli_env: Runtime, sample_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints {"issued": [{"row", "certificate_number"}], "refused": []}; exit 0."""
    path = sample_results / "sample-421221.csv"
    code = main(["import", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    assert report["refused"] == []
    assert len(report["issued"]) == 100
    assert set(report["issued"][0]) == {"row", "certificate_number"}


def test_refused_file_exits_1_and_lists_every_problem(
    cli_env: Runtime, sample_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused file exits 1, issues nothing, and the JSON names row, field, rule and message."""
    rows = edit(rows_of(sample(sample_results)), 4, "votes_for", "1")
    path = tmp_path / "bad.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    before = table_counts(cli_env)

    code = main(["import", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)

    assert code == 1
    assert report["issued"] == []
    assert [(r["row"], r["field"], r["rule"]) for r in report["refused"]] == [(4, "votes_for", "vote")]
    assert report["refused"][0]["message"] and report["refused"][0]["message_zh"]
    assert table_counts(cli_env) == before


def test_human_output_shows_refusals_in_both_languages(
    cli_env: Runtime, sample_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json the clerk reads what happened first, then each problem in English and Chinese."""
    rows = edit(rows_of(sample(sample_results)), 4, "votes_for", "1")
    path = tmp_path / "bad.csv"
    path.write_text(to_csv(rows), encoding="utf-8")

    assert main(["import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "未签发" in out
    assert "row 4, votes_for [vote]" in out and "第 4 行" in out


def test_dry_run_issues_nothing(
    cli_env: Runtime, sample_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run exits 0 for a good file and writes nothing."""
    before = table_counts(cli_env)
    assert main(["import", str(sample_results / "sample-500000.csv"), "--dry-run"]) == 0
    assert "100 would be issued" in capsys.readouterr().out
    assert table_counts(cli_env) == before


def test_missing_file_is_a_usage_error(
    cli_env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that does not exist exits 2 with a message naming it."""
    assert main(["import", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_unreadable_file_exits_1_naming_the_file(
    cli_env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty or binary file exits 1 with an error naming the file (text and JSON modes)."""
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert main(["import", str(path)]) == 1
    assert "empty.csv" in capsys.readouterr().err

    assert main(["import", str(path), "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["error"] == "unreadable-file" and "empty.csv" in body["message"]
