"""The ``certsvc`` command. Each command module registers its own subcommands.

Exit codes: 0 success; 1 refused / not valid; 2 usage error; 3 authentic but status unknown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from certsvc.errors import BadRequest, CertsvcError, ConfigurationError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STATUS_UNKNOWN = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certsvc",
        description="Signed electronic professional-title certificates (职称电子证书).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from certsvc.cli import (
        accounts,
        audit,
        documents,
        employers,
        intake,
        integrity,
        keys,
        ledger,
        serve,
        setup,
        verify,
        workflow,
    )

    for module in (
        setup,
        serve,
        intake,
        documents,
        workflow,
        integrity,
        verify,
        ledger,
        keys,
        accounts,
        audit,
        employers,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except (BadRequest, ConfigurationError) as error:
        print(f"certsvc: error: {error.message}", file=sys.stderr)
        if error.detail_zh:
            print(f"certsvc: 错误：{error.detail_zh}", file=sys.stderr)
        return EXIT_USAGE
    except CertsvcError as error:
        print(f"certsvc: {error.code}: {error.message}", file=sys.stderr)
        if error.detail_zh:
            print(f"certsvc: {error.detail_zh}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
