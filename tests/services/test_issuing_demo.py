"""``certsvc init --demo`` data: the packaged sample batches are issued once, whatever the reruns."""

from __future__ import annotations

from certsvc.demo import load_demo
from certsvc.runtime import Runtime
from tests.services.support import table_counts


def test_demo_batches_are_issued_once_and_printed_with_urls(runtime: Runtime) -> None:
    """The first run issues all eleven batches (the four provinces' and cities' of 100 rows, the
    Chongqing district, Guangxi industry department, authorised forming unit and commissioned
    review ones, and one of each other route: 认定, 重新确认, 考试) and prints numbers with their
    verification URLs; a second run issues nothing new."""
    first = load_demo(runtime)
    counts = table_counts(runtime)
    second = load_demo(runtime)

    assert counts["certificates"] == 420
    assert sum("100 issued" in line for line in first) == 4
    for batch, rows in (
        ("500112", 3),
        ("4500GX", 2),
        ("45BBW1", 1),
        ("450300", 3),
        ("450305-recognition", 7),
        ("450300-reconfirmation", 2),
        ("450300-exam", 2),
    ):
        assert f"demo batch sample-{batch}.csv: {rows} issued, 0 already issued" in first
        assert f"demo batch sample-{batch}.csv: 0 issued, {rows} already issued" in second
    assert not any("refused" in line for line in first)
    assert any("HTTPS://CERTS.EXAMPLE.TEST/V/" in line for line in first)
    assert sum("0 issued, 100 already issued" in line for line in second) == 4
    assert table_counts(runtime)["certificates"] == 420
