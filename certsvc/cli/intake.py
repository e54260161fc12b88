"""``certsvc import FILE [--dry-run] [--json]``: check a confirmed-results file and issue it;
``certsvc template --route R -o FILE.xlsx``: the Excel template of an acquisition route.

Exit codes: 0 nothing refused; 1 something refused (nothing issued) or the file is unreadable;
2 usage error (e.g. the file does not exist, an unknown route). On a terminal a progress bar goes
to stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from certsvc.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from certsvc.cli.common import cli_runtime
from certsvc.errors import IntakeError

SHOWN_ISSUED = 10
_ZIP_MAGIC = b"PK"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a confirmed-results file (CSV, XLSX, JSON) and issue its certificates",
        description="Checks every row against every rule; issues the whole file or nothing.",
    )
    parser.add_argument(
        "file", type=Path, metavar="FILE", help="CSV (UTF-8 or GBK), .xlsx or JSON results file"
    )
    parser.add_argument("--dry-run", action="store_true", help="check only; issue nothing")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_import)
    template = subparsers.add_parser(
        "template",
        help="write the Excel template of an acquisition route (Chinese headers, one example row)",
        description="Routes: 评审 (review), 认定 (recognition), 重新确认 (reconfirmation), 考试 (exam).",
    )
    template.add_argument(
        "--route", required=True, metavar="R", help="评审, 认定, 重新确认 or 考试 (or review, recognition, …)"
    )
    template.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    template.set_defaults(handler=run_template)


def run_template(args: argparse.Namespace) -> int:
    from certsvc.certificates.intake.templates import template_route, template_xlsx

    route = template_route(args.route)  # BadRequest: a usage error
    output: Path = args.output
    try:
        output.write_bytes(template_xlsx(route))
    except OSError as error:
        print(f"certsvc: error: cannot write {output}: {error.strerror}", file=sys.stderr)
        print(f"certsvc: 错误：无法写入 {output}：{error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {output} ({route} template) / 已生成{route}结果模板 {output}", file=sys.stderr)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from certsvc.certificates.issuing import import_results

    path: Path = args.file
    if not path.is_file():
        print(f"certsvc: error: {path}: no such file", file=sys.stderr)
        print(f"certsvc: 错误：文件 {path} 不存在", file=sys.stderr)
        return EXIT_USAGE
    runtime = cli_runtime()
    bar = _ProgressBar(path) if sys.stderr.isatty() else None
    try:
        report = import_results(
            runtime,
            path,
            path.name,
            dry_run=args.dry_run,
            actor=f"cli:{_user()}",
            progress=bar.update if bar else None,
        )
    except IntakeError as error:
        if not args.json:
            raise
        body = {"error": error.code, "message": error.message, "message_zh": error.detail_zh}
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return EXIT_FAILED
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print_report(report.to_json(), sys.stdout)
    return EXIT_OK if report.ok else EXIT_FAILED


def print_report(report: dict[str, Any], out: TextIO) -> None:
    """The report for a person: what happened first, then every refusal with both messages."""
    name, rows = report["file"], report["rows"]
    issued, already, refused = report["issued"], report["already_issued"], report["refused"]
    if refused:
        refused_rows = len({item["row"] for item in refused})
        print(
            f"{name}: REFUSED — nothing was issued. "
            f"{len(refused)} problem(s) in {refused_rows} of {rows} rows.",
            file=out,
        )
        print(
            f"{name}：文件被拒绝，未签发任何证书。"
            f"共 {rows} 行，其中 {refused_rows} 行有 {len(refused)} 个问题。",
            file=out,
        )
        for item in refused:
            print(f"  row {item['row']}, {item['field']} [{item['rule']}]: {item['message']}", file=out)
            print(f"      第 {item['row']} 行：{item['message_zh']}", file=out)
    elif report["dry_run"]:
        print(f"{name}: dry run — all {rows} rows pass; {report['would_issue']} would be issued.", file=out)
        print(f"{name}：试运行，{rows} 行全部通过校验，将签发 {report['would_issue']} 张证书。", file=out)
    else:
        print(f"{name}: {rows} rows; issued {len(issued)} certificate(s).", file=out)
        print(f"{name}：共 {rows} 行，签发证书 {len(issued)} 张。", file=out)
        for item in issued[:SHOWN_ISSUED]:
            print(f"  row {item['row']}: {item['certificate_number']}", file=out)
        if len(issued) > SHOWN_ISSUED:
            print(f"  … and {len(issued) - SHOWN_ISSUED} more (--json lists them all)", file=out)
    for item in report.get("warnings", []):
        print(f"  warning, row {item['row']}, {item['field']} [{item['rule']}]: {item['message']}", file=out)
        print(f"      提醒：第 {item['row']} 行：{item['message_zh']}", file=out)
    if already:
        print(
            f"{len(already)} row(s) were already issued earlier and were not issued again "
            f"(已签发过的 {len(already)} 行未重复签发).",
            file=out,
        )


class _ProgressBar:
    """Rows done out of the estimated total (CSV lines); a plain counter when the total is unknown."""

    def __init__(self, path: Path) -> None:
        total = _estimate_rows(path)
        self._bar = (
            None
            if total is None
            else click.progressbar(length=total, label="importing / 导入中", file=sys.stderr, show_pos=True)
        )
        self._done = 0

    def update(self, rows: int) -> None:
        if self._bar is None:
            print(f"\rimporting / 导入中: {rows} rows", end="", file=sys.stderr, flush=True)
        else:
            self._bar.update(rows - self._done)
        self._done = rows

    def close(self) -> None:
        if self._bar is None:
            print(file=sys.stderr)
        else:
            self._bar.render_finish()


def _estimate_rows(path: Path) -> int | None:
    with path.open("rb") as stream:
        head = stream.read(2)
        if head == _ZIP_MAGIC or head[:1] in (b"[", b"{"):
            return None
        stream.seek(0)
        lines = sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    return max(lines - 1, 1)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
