"""A certsvc installation on disk for tests that run the real command in other processes.

The environment is what an operator would set; ``runtime()`` opens the same installation in the
test process to check what the other processes left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from certsvc.config import load_settings
from certsvc.db.session import Database
from certsvc.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
GEN_RESULTS = ROOT.parent / "shared" / "tools" / "gen-results"
REGISTRY = ROOT.parent / "shared" / "testdata" / "registry.json"


@dataclass(frozen=True)
class Installation:
    directory: Path
    database_url: str
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CERTSVC_ENV": "test",
            "CERTSVC_DATABASE_URL": self.database_url,
            "CERTSVC_INSTANCE_DIR": str(self.directory / "instance"),
            "CERTSVC_KEYS_DIR": str(self.directory / "keys"),
            "CERTSVC_BASE_URL": "https://certs.example.test",
            "CERTSVC_SECRET_KEY": "reliability-secret-" + "x" * 32,
            "CERTSVC_LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }

    def command(self, *args: str) -> list[str]:
        return [str(PYTHON), "-m", "certsvc", *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, args: Sequence[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            list(args),
            env=self.env,
            cwd=self.directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        result = self.run("init", "--registry", str(REGISTRY))
        assert result.returncode == 0, result.stderr[-2000:]

    def runtime(self) -> Runtime:
        settings = load_settings(self.env)
        return Runtime(settings=settings, database=Database(self.database_url))

    def results_file(
        self, name: str, rows: int, *, seed: int, authority: str | None = None, doc_no: str | None = None
    ) -> Path:
        path = self.directory / name
        args = [sys.executable, str(GEN_RESULTS), "-n", str(rows), "--seed", str(seed), "-o", str(path)]
        if authority:
            args += ["--authority", authority]
        if doc_no:
            args += ["--doc-no", doc_no]
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        return path


def data_rows(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream) - 1
