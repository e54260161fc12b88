"""``certsvc render CERT_NO --format png|pdf|jws|url [-o FILE]``: a certificate's current version as
its document, its signed credential, or the URL its QR code holds.

jws and url go to stdout unless ``-o`` is given; png and pdf need ``-o`` when stdout is a terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from certsvc.certificates.services import FORMATS
from certsvc.cli import EXIT_OK, EXIT_USAGE
from certsvc.cli.common import cli_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render", help="write a certificate's document (png, pdf), signed credential (jws) or QR URL (url)"
    )
    parser.add_argument("number", metavar="CERT_NO", help="certificate number (spaces and hyphens allowed)")
    parser.add_argument("--format", "-f", choices=FORMATS, required=True, dest="fmt")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--version", type=int, metavar="N", help="a given version instead of the current one")
    parser.add_argument("--mask-id", action="store_true", help="print the ID number masked (png, pdf)")
    parser.set_defaults(handler=run_render)


def run_render(args: argparse.Namespace) -> int:
    from certsvc.certificates.services import render

    binary = args.fmt in ("png", "pdf")
    if binary and args.output is None and sys.stdout.isatty():
        print(f"certsvc: error: a {args.fmt} file is binary: give -o FILE", file=sys.stderr)
        return EXIT_USAGE
    data = render(cli_runtime(), args.number, args.fmt, args.version, mask_id=args.mask_id)
    if args.output is not None:
        args.output.write_bytes(data if binary else data + b"\n")
        print(f"wrote {args.output}", file=sys.stderr)
    elif binary:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        print(data.decode("ascii"))
    return EXIT_OK
