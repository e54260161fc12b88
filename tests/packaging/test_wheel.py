"""A plain wheel install works outside the source tree: templates, migrations, demo data and the
compiled message catalog ship inside."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel_dir = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheel_dir.glob("certsvc-*.whl")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
    )
    return target


def test_wheel_installs_init_demo_and_serves_from_an_empty_directory(
    installed_wheel: Path, tmp_path: Path
) -> None:
    """`pip install .`, then `certsvc init --demo` and `certsvc serve` in an empty directory answer over
    HTTP, in Chinese and (from the wheel's compiled catalog) in English."""
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTSVC_")}
    # The installed copy must win over the editable source checkout.
    env["PYTHONPATH"] = str(installed_wheel)
    env["CERTSVC_LOG_LEVEL"] = "WARNING"
    probe = subprocess.run(
        [sys.executable, "-c", "import certsvc, sys; print(certsvc.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(installed_wheel))

    init = subprocess.run(
        [sys.executable, "-m", "certsvc", "init", "--demo"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    again = subprocess.run(
        [sys.executable, "-m", "certsvc", "init", "--demo"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert (workdir / "instance" / "certsvc.sqlite3").exists()
    assert (workdir / "keys" / "keys.json").exists()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "certsvc", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert json.load(response) == {"status": "ok"}
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(base + "/.well-known/jwks.json", timeout=5) as response:
            assert json.load(response)["keys"]
        with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5) as response:
            assert json.load(response)["openapi"].startswith("3.1")
        with urllib.request.urlopen(base + "/", timeout=5) as response:
            assert response.status == 200
            assert "职称电子证书查验" in response.read().decode()
        with urllib.request.urlopen(base + "/?lang=en", timeout=5) as response:
            assert "Title certificate verification" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert list(installed_wheel.glob("certsvc/translations/en/LC_MESSAGES/messages.mo"))
