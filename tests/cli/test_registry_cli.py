"""``certsvc init --registry``, ``import --json`` warnings and ``certsvc integrity`` (both engines)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from certsvc.cli import main
from certsvc.runtime import Runtime
from tests.services.support import table_counts

HEADER = (
    "confirmation_doc_no,confirmation_date,authority_code,committee_code,committee_name,committee_size,"
    "meeting_date,publicity_start,publicity_end,series,specialty,name,id_number,employer,title,level,"
    "attendees,votes_for"
)
ROW = (
    "桂工信职〔2024〕30号,{confirmed},4500GX,4500GX-GC-中级,广西壮族自治区工业和信息化厅工程技术中级评审委员会,11,"
    "2024-10-25,2024-11-04,2024-11-08,工程技术,电子信息,覃志强,450102198709305812,广西北部湾智造有限公司,"
    "工程师,中级,9,8"
)


def test_init_registry_reports_every_problem_with_path_and_rule(
    cli_env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A registry with three problems: exit 1, each on its own line with JSON path and rule, and
    nothing in the database changes."""
    document = json.loads(resources.files("certsvc.domain").joinpath("demo_registry.json").read_text("utf-8"))
    document["committees"][0]["size"] = 24
    document["authorities"][1]["uscc"] = "11450000375689342A"
    document["commissions"][0]["until"] = "2023-01-01"
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = table_counts(cli_env)

    assert main(["init", "--registry", str(path)]) == 1
    err = capsys.readouterr().err
    assert "3 problem(s)" in err and "共 3 个问题" in err
    lines = [line for line in err.splitlines() if line.startswith("  ")]
    assert any("$.committees[0].size [committee-size]" in line for line in lines)
    assert any("$.authorities[1].uscc [uscc]" in line for line in lines)
    assert any("$.commissions[0].until [date]" in line for line in lines)
    assert table_counts(cli_env) == before


def test_import_json_prints_warnings(
    cli_env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A result confirmed 16 working days after its publicity issues (exit 0) and --json lists the
    ``deadline`` warning; the human report prints it in both languages."""
    path = tmp_path / "late.csv"
    path.write_text(HEADER + "\n" + ROW.format(confirmed="2024-12-02") + "\n", encoding="utf-8")
    assert main(["import", str(path), "--json", "--dry-run"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(w["row"], w["field"], w["rule"]) for w in report["warnings"]] == [
        (2, "confirmation_date", "deadline")
    ]
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning, row 2, confirmation_date [deadline]" in out and "提醒：第 2 行" in out


def test_integrity_list_and_end(cli_env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """revoke --reason fraud opens a record; ``integrity list`` shows it masked with its document;
    another authority cannot end it; ``integrity end`` does; ending twice is refused."""
    path = tmp_path / "one.csv"
    path.write_text(HEADER + "\n" + ROW.format(confirmed="2024-11-20") + "\n", encoding="utf-8")
    assert main(["import", str(path), "--json"]) == 0
    number = json.loads(capsys.readouterr().out)["issued"][0]["certificate_number"]
    assert main(["revoke", number, "--reason", "fraud", "--doc-no", "桂工信撤〔2026〕1号"]) == 0
    capsys.readouterr()

    assert main(["integrity", "list", "--json", "--running"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["holder"] == "覃*强" and record["doc_no"] == "桂工信撤〔2026〕1号" and record["running"]
    assert record["certificate_number"] == number

    assert main(["integrity", "end", str(record["record"]), "--doc-no", "x", "--authority", "500000"]) == 1
    capsys.readouterr()
    assert main(["integrity", "end", str(record["record"]), "--doc-no", "桂工信〔2026〕8号"]) == 0
    assert "ended" in capsys.readouterr().out
    assert main(["integrity", "end", str(record["record"]), "--doc-no", "桂工信〔2026〕9号"]) == 1
    capsys.readouterr()
    assert main(["integrity", "list", "--running"]) == 0
    assert "没有诚信档案记录" in capsys.readouterr().out
