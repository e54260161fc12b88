"""Run the benchmarks and print a table."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback

import bench.cases
from bench import Case, Row


def discover() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(bench.cases.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"bench.cases.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases


def format_table(rows: list[Row]) -> str:
    columns = ["case", "metric", "value", "unit", "ratio"]
    rendered = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max(len(c), *(len(r[i]) for r in rendered)) if rendered else len(c) for i, c in enumerate(columns)
    ]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rendered]
    return "\n".join(out)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("filter", nargs="?", default="", help="run only cases whose name contains this")
    args = parser.parse_args()
    rows: list[Row] = []
    failed = False
    for case in discover():
        if args.filter not in case.name:
            continue
        print(f"running {case.name} …", file=sys.stderr, flush=True)
        try:
            for row in case.run():
                rows.append({"case": case.name, **row})
        except Exception:
            failed = True
            traceback.print_exc()
            rows.append({"case": case.name, "metric": "FAILED", "value": None})
    print(format_table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
