"""``certsvc init --demo`` data: the packaged sample batches are issued once, whatever the reruns."""

from __future__ import annotations

from certsvc.demo import load_demo
from certsvc.runtime import Runtime
from tests.services.support import table_counts


def test_demo_batches_are_issued_once_and_printed_with_urls(runtime: Runtime) -> None:
    """The first run issues all four batches and prints numbers with their verification URLs;
    a second run issues nothing new."""
    first = load_demo(runtime)
    counts = table_counts(runtime)
    second = load_demo(runtime)

    assert counts["certificates"] == 400
    assert sum("100 issued" in line for line in first) == 4
    assert any("HTTPS://CERTS.EXAMPLE.TEST/V/" in line for line in first)
    assert sum("0 issued, 100 already issued" in line for line in second) == 4
    assert table_counts(runtime)["certificates"] == 400
