"""``certsvc verify TARGET [--offline --jwks FILE [--status FILE ...] [--ca FILE]]``.

TARGET is a QR URL or payload, a compact JWS, or a PNG/PDF/photo file; whatever names an existing
file is read as that file (``/tmp/a.b/c.pdf`` has two dots but is a path, not a JWS). Online, the
configured database gives the registry's truth; offline, only the JWKS file, status list files and
the issuing CA certificate are used (no database, no server). A signed PDF must also pass its seal
signature check (unchanged since signing, sealed by the credential's issuer, chaining to the
issuing CA). Exit codes: 0 valid, 1 not valid, 2 usage error, 3 authentic but status unknown.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from certsvc.cli import EXIT_FAILED, EXIT_OK, EXIT_STATUS_UNKNOWN
from certsvc.domain.names import mask_name
from certsvc.errors import BadRequest, InvalidKeySet, InvalidStatusList, UnreadableDocument
from certsvc.texts import LABELS, bilingual

OFFLINE_OUTCOMES = {"unknown-status": "unknown"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify a certificate (QR URL or payload, JWS, or PNG/PDF file)",
        description="Exit 0 valid, 1 not valid, 2 usage error, 3 authentic but status unknown.",
    )
    parser.add_argument(
        "target", metavar="TARGET", help="QR URL or payload, a compact JWS, or a PNG/PDF file"
    )
    parser.add_argument(
        "--offline", action="store_true", help="no server, no database: --jwks (and --status)"
    )
    parser.add_argument("--jwks", type=Path, help="the key set saved from /.well-known/jwks.json")
    parser.add_argument(
        "--status",
        type=Path,
        action="append",
        default=[],
        help="a signed status list saved from the status URL (repeat for revocation and suspension)",
    )
    parser.add_argument(
        "--ca",
        type=Path,
        help="the issuing CA certificate saved from /.well-known/certsvc-ca.pem (offline PDF seal check)",
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.set_defaults(handler=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    if not args.offline and (args.jwks or args.status or args.ca):
        raise BadRequest("--jwks, --status and --ca are for --offline verification")
    if args.offline and args.jwks is None:
        raise BadRequest("--offline needs --jwks FILE (saved from /.well-known/jwks.json)")
    target = _read_target(args.target)
    try:
        if args.offline:
            outcome, step, reason, facts = _offline(target, args.jwks, args.status, args.ca)
        else:
            outcome, step, reason, facts = _online(target)
    except UnreadableDocument as error:
        raise BadRequest(error.message, detail_zh=error.detail_zh) from None
    _print(outcome, step, reason, facts, as_json=args.json)
    if outcome == "valid":
        return EXIT_OK
    if outcome == "unknown" and step in ("status-unavailable", "registry-unavailable"):
        return EXIT_STATUS_UNKNOWN
    return EXIT_FAILED


def _read_target(target: str) -> str | bytes:
    """A file's bytes when TARGET names an existing file, else TARGET itself as token text.

    A compact JWS and a QR payload never contain "/" (base64url, Base32), so a TARGET with a slash
    and no scheme, or one ending in a document extension, that names no file is a missing file.
    """
    path = Path(target)
    could_be_path = len(target) < 4096 and "://" not in target and "\0" not in target
    if could_be_path and _is_file(path):
        try:
            return path.read_bytes()
        except OSError as error:
            raise BadRequest(f"cannot read {target}: {error.strerror}") from None
    if could_be_path and ("/" in target or target.lower().endswith((".png", ".pdf", ".jpg", ".jpeg"))):
        raise BadRequest(f"no such file: {target}")
    return target


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a token longer than a file name may be
        return False


def _online(target: str | bytes) -> tuple[str, str | None, str, dict[str, Any] | None]:
    from certsvc.cli.common import cli_runtime
    from certsvc.verification.schemas import Verdict
    from certsvc.verification.services import verify_target

    runtime = cli_runtime()
    verdict = verify_target(runtime, target, channel="cli")
    runtime.close()  # stores the count; a verdict stands even when it cannot be stored
    body = Verdict.of(verdict).model_dump(mode="json")
    return verdict.outcome, verdict.step, verdict.reason, body


def _offline(
    target: str | bytes, jwks_path: Path, status_paths: list[Path], ca_path: Path | None
) -> tuple[str, str | None, str, dict[str, Any] | None]:
    from certsvc.signing import verifier
    from certsvc.signing.jwks import KeySet
    from certsvc.signing.statuslist import verify_status_list
    from certsvc.verification.targets import is_document, token_from_document

    now = dt.datetime.now(dt.UTC)
    try:
        keyset = KeySet.from_jwks(_load_json(jwks_path))
    except InvalidKeySet as error:
        raise BadRequest(f"{jwks_path}: {error.message}") from None
    lists = []
    for path in status_paths:
        try:
            lists.append(verify_status_list(_read_text(path).strip(), keyset, now))
        except InvalidStatusList as error:
            # A list that cannot be trusted is no evidence: the status stays unknown (fail closed).
            print(f"certsvc: status list {path} ignored: {error.message}", file=sys.stderr)
    seal = None
    if isinstance(target, bytes):
        if target.startswith(b"%PDF-"):
            seal = _offline_seal(target, ca_path)
        target = token_from_document(target) if is_document(target) else target.decode("utf-8", "replace")
    status = verifier.StatusEvidence.of(lists) if lists else None
    try:
        verdict = verifier.verify(target, keyset, now, status)
    except ValueError:
        verdict = verifier.Verdict(verifier.INVALID, "parse", "not a well-formed URL")
    if seal is not None and seal.signed:
        issuer = (
            None
            if verdict.facts is None or verdict.facts.credential is None
            else verdict.facts.credential.issuer_id
        )
        if not seal.ok:
            verdict = verifier.Verdict(
                verifier.INVALID, "pdf-signature", seal.problem or "seal signature fails"
            )
        elif issuer is not None and issuer != f"urn:uscc:{seal.signer_uscc}":
            verdict = verifier.Verdict(
                verifier.INVALID, "pdf-signature", "the PDF was sealed by another authority than its issuer"
            )
    outcome = OFFLINE_OUTCOMES.get(verdict.outcome, verdict.outcome)
    facts = None
    if verdict.facts is not None:
        f = verdict.facts
        facts = {
            "certificate": {
                "number": f.certificate_number,
                "version": f.version,
                "holder": f.holder_name if f.form == "qr" else mask_name(f.holder_name),
                "title": f.title,
                "level": f.level,
                "obtained": f.obtained.isoformat(),
                "kid": f.kid,
            }
        }
        if f.credential is not None and f.credential.acquisition is not None:
            from certsvc.verification.schemas import VerdictAcquisition

            public = VerdictAcquisition.of(f.credential.acquisition)
            facts["certificate"]["acquisition"] = public.model_dump(mode="json")
    return outcome, verdict.step, verdict.reason, facts


def _offline_seal(pdf: bytes, ca_path: Path | None) -> Any:
    """The PDF's seal check against the CA file; without one, only that the file is unchanged since
    signing can be checked, so trust is taken as given and a note says so."""
    from cryptography import x509

    from certsvc.documents.signature import check_pdf_signature

    if ca_path is None:
        check = check_pdf_signature(pdf, [])
        if check.signed:
            print(
                "certsvc: no --ca given: the PDF seal is checked for changes only, not for who sealed it",
                file=sys.stderr,
            )
        return dataclasses.replace(check, trusted=check.signed)
    try:
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    except (OSError, ValueError) as error:
        raise BadRequest(f"{ca_path}: not a PEM certificate ({error})") from None
    return check_pdf_signature(pdf, [ca])


def _load_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except ValueError:
        raise InvalidKeySet(f"{path} is not JSON") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadRequest(f"cannot read {path}: {error}") from None


def _print(
    outcome: str, step: str | None, reason: str, body: dict[str, Any] | None, *, as_json: bool
) -> None:
    if as_json:
        print(
            json.dumps(
                {"outcome": outcome, "step": step, "reason": reason, **(body or {})}, ensure_ascii=False
            )
        )
        return
    from certsvc.verification.services import OUTCOMES, wording

    # The words pages use: an invalid verdict is forged only when a signature fails.
    shown = wording(outcome, step) if outcome in OUTCOMES else "unknown"
    zh, en = bilingual("outcome", shown)
    zh_more, en_more = bilingual("explanation", shown)
    print(f"{zh} {en}: {zh_more} / {en_more}")
    if step and step in LABELS["step"] and step != "status" and shown in ("invalid", "unknown", "forged"):
        print("  {} / {}".format(*bilingual("step", step)))
    elif outcome not in ("valid",) and step:
        print(f"  step: {step}")
    if reason not in (zh_more, en_more):  # the verdict's own words, already on the first line
        print(f"  {reason}")
    certificate = (body or {}).get("certificate")
    if certificate:
        print(f"  证书编号 number: {certificate['number']} (v{certificate['version']})")
        print(f"  持证人 holder: {certificate['holder']}")
        print(f"  资格 title: {certificate['title']} · {certificate['level']}")
        acquisition = certificate.get("acquisition")
        if acquisition:
            zh_route, en_route = bilingual("route", acquisition["route"])
            print(f"  取得方式 route: {zh_route} ({en_route})")
    status = (body or {}).get("status")
    if status:
        print(
            f"  {status['state']}: {status.get('effective') or '—'} · {status.get('reason_category') or '—'}"
            f" · {status.get('document_number') or '—'}"
        )
