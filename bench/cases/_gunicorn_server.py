"""``python -m bench.cases._gunicorn_server FACTORY BIND WORKERS THREADS``: serve one app factory of
``bench.cases.verify_api`` with the gunicorn options ``certsvc serve`` builds, so that certsvc and the
hello-world app it is compared with run on exactly the same settings."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from bench.cases import verify_api
    from certsvc.cli.gunicorn_app import CertsvcGunicorn, gunicorn_options

    factory_name, bind, workers, threads = argv
    options = gunicorn_options(bind, workers=int(workers), threads=int(threads))
    CertsvcGunicorn(options, getattr(verify_api, factory_name)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
