"""Demo data for ``certsvc init --demo``: the packaged sample batches, issued, and demo logins.

Idempotent: the batches' rows are found again by their result keys, so a second run issues
nothing new and prints the same certificates.
"""

from __future__ import annotations

from importlib import resources

from certsvc.accounts.services import create_demo_accounts
from certsvc.certificates.issuing import ImportReport, import_results
from certsvc.certificates.versions import verification_url
from certsvc.runtime import Runtime

DEMO_PACKAGE = "certsvc.demo"
SHOWN_PER_BATCH = 2


def load_demo(runtime: Runtime) -> list[str]:
    """Import every ``sample-*.csv`` batch; lines to print: counts, a few numbers with their URLs."""
    lines: list[str] = []
    batches = sorted(
        (entry for entry in resources.files(DEMO_PACKAGE).iterdir() if entry.name.startswith("sample-")),
        key=lambda entry: entry.name,
    )
    for entry in batches:
        report = import_results(runtime, entry.read_bytes(), entry.name, dry_run=False, actor="demo")
        lines += _describe(runtime, report)
    lines += create_demo_accounts(runtime)
    return lines


def _describe(runtime: Runtime, report: ImportReport) -> list[str]:
    if not report.ok:
        first = report.refused[0].message_en
        return [f"demo batch {report.filename}: refused ({len(report.refused)} problems): {first}"]
    issued, already = len(report.issued), len(report.already_issued)
    lines = [f"demo batch {report.filename}: {issued} issued, {already} already issued"]
    shown = list(report.issued)[:SHOWN_PER_BATCH] or list(report.already_issued)[:SHOWN_PER_BATCH]
    if shown:
        urls = _urls(runtime, [number for _, number in shown])
        lines += [f"  {number}  {urls[number]}" for _, number in shown]
    return lines


def _urls(runtime: Runtime, numbers: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from certsvc.certificates.models import Certificate, CertificateVersion

    with runtime.database.read() as session:
        rows = session.execute(
            select(Certificate.number, CertificateVersion.qr_payload)
            .join(CertificateVersion, CertificateVersion.certificate_id == Certificate.id)
            .where(Certificate.number.in_(numbers), CertificateVersion.version == Certificate.current_version)
        )
        return {number: verification_url(runtime, payload) for number, payload in rows}
