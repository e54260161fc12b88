"""Issue rate per acquisition route: 20,000 rows of 认定, of 重新确认 and of 考试 (DESIGN §2), each
imported end to end on SQLite like the review file of the ``issue`` case, beside the raw Ed25519
JWS signing rate of the same run (the ratio is what compares across a noisy machine).

Target (issue 18): every route stays ≥ 5,000 certificates/s on SQLite, like review. The files are
generated here (valid under the demo registry: the 七星区 bureau recognises 员级 and 助理级
graduates, 桂林 reconfirms and confirms exam titles of 中级), so the case needs nothing from
``../shared``. ``CERTSVC_BENCH_ROUTE_ROWS`` sets the rows per file (a quick check: 500).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
from pathlib import Path

from bench import Case, Row
from bench.cases.issue import CORES, issue_rate, raw_jws_rate

ROWS = int(os.environ.get("CERTSVC_BENCH_ROUTE_ROWS", "20000"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚玉萍红玲芬燕鹏辉建国华志海雪梅欣怡涵浩然宇轩萱思远"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
COMMON = ("route", "confirmation_doc_no", "confirmation_date", "authority_code", "series", "specialty")
PERSON = ("name", "id_number", "employer", "title", "level")
CONFIRMED = "2024-11-20"
# (education, level, title, graduation date, work start): valid on CONFIRMED for the county.
RECOGNITIONS = (
    ("中专", "员级", "技术员", "2022-07-01", "2022-07-15"),
    ("大专", "助理级", "助理工程师", "2020-07-01", "2020-07-20"),
    ("本科", "助理级", "助理工程师", "2023-06-30", "2023-07-10"),
    ("硕士", "助理级", "助理工程师", "2023-06-30", "2023-07-15"),
)
EXAMS = (
    (
        "会计",
        "会计",
        "会计师",
        "2024年度全国会计专业技术中级资格考试",
        "2024-09-07",
        "财政部会计资格评价中心",
    ),
    (
        "经济",
        "人力资源管理",
        "经济师",
        "2023年度全国经济专业技术资格考试",
        "2023-11-11",
        "人力资源社会保障部人事考试中心",
    ),
)


def _people(rng: random.Random, count: int, region: str) -> list[tuple[str, str]]:
    """``count`` (name, valid ID number) pairs with distinct ID numbers."""
    people, used = [], set()
    while len(people) < count:
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 27))
        body = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        if body in used:
            continue
        used.add(body)
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]
        people.append(
            (rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))), body + check)
        )
    return people


def write_route_file(route: str, rows: int, path: Path, seed: int = 18) -> Path:
    """A CSV of ``rows`` valid results of ``route`` (认定, 重新确认 or 考试)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        if route == "认定":
            out.writerow((*COMMON, *PERSON, "education", "graduation_date", "work_start_date"))
            for index, (name, id_number) in enumerate(_people(rng, rows, "450305")):
                education, level, title, graduated, started = RECOGNITIONS[index % len(RECOGNITIONS)]
                out.writerow(
                    (route, "七人社认〔2024〕9号", CONFIRMED, "450305", "工程技术", "数字技术", name, id_number,
                     "桂林七星电子科技有限公司", title, level, education, graduated, started)
                )  # fmt: skip
        elif route == "重新确认":
            out.writerow(
                (*COMMON, *PERSON, "original_certificate_number", "original_issuer", "original_date",
                 "original_route", "employment_start_date")
            )  # fmt: skip
            for index, (name, id_number) in enumerate(_people(rng, rows, "430102")):
                out.writerow(
                    (route, "桂市人社职〔2024〕61号", CONFIRMED, "450300", "工程技术", "数字技术", name, id_number,
                     "桂林山水信息技术有限公司", "工程师", "中级", f"湘人社职称〔2018〕{index:05d}号",
                     "湖南省人力资源和社会保障厅", "2018-12-28", "评审", "2021-09-01")
                )  # fmt: skip
        else:
            out.writerow(
                (*COMMON, *PERSON, "exam_name", "exam_date", "exam_authority", "exam_certificate_number")
            )
            for index, (name, id_number) in enumerate(_people(rng, rows, "450302")):
                series, specialty, title, exam, day, authority = EXAMS[index % len(EXAMS)]
                out.writerow(
                    (route, "桂市人社考〔2024〕6号", CONFIRMED, "450300", series, specialty, name, id_number,
                     "桂林山水信息技术有限公司", title, "中级", exam, day, authority, f"Z2024{index:09d}")
                )  # fmt: skip
    return path


def route_issue_rate(route: str, workdir: Path) -> tuple[float, float]:
    """(certificates/s, CPU µs per certificate) of a ``route`` file, measured as ``issue`` measures."""
    results = write_route_file(route, ROWS, workdir / f"{route}.csv")
    return issue_rate(f"sqlite:///{workdir / route / 'bench.sqlite3'}", results, workdir / route)


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="certsvc-bench-routes-") as tmp:
        workdir = Path(tmp)
        for route, slug in (("认定", "recognition"), ("重新确认", "reconfirmation"), ("考试", "exam")):
            before = raw_jws_rate()
            issued, cpu = route_issue_rate(route, workdir)
            raw = (before + raw_jws_rate()) / 2
            rows.append(
                {
                    "metric": f"issue {ROWS:,} {slug} rows ({route}), SQLite (target ≥ 5,000/s)",
                    "value": issued,
                    "unit": "certs/s",
                    "ratio_to": "raw Ed25519 JWS signing",
                    "ratio": issued / raw,
                }
            )
            rows.append(
                {
                    "metric": f"  CPU per certificate; at most {CORES / cpu * 1e6:,.0f}/s on {CORES} cores",
                    "value": cpu,
                    "unit": "µs",
                }
            )
    return rows


CASES = [Case("routes", run)]
