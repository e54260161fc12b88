"""Renderings are reproducible across processes, not only within one (hash salting, font names)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from certsvc.documents.fonts import CjkFont
from certsvc.documents.pdf import page_pdf
from certsvc.documents.png import render_png
from tests.documents.support import VERSION_TWO

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = """
import hashlib
from certsvc.documents import find_cjk_font, render_png
from certsvc.documents.pdf import page_pdf
from tests.documents.support import VERSION_TWO
font = find_cjk_font()
print(hashlib.sha256(render_png(VERSION_TWO, font)).hexdigest())
print(hashlib.sha256(page_pdf(VERSION_TWO, font)).hexdigest())
"""


def test_another_process_renders_identical_bytes(font: CjkFont) -> None:
    """A fresh interpreter with a different hash seed produces byte-identical PNG files and PDF
    pages (what the seal signature covers; the signature itself is new at each signing)."""
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=REPOSITORY,
    )
    here = [
        hashlib.sha256(render_png(VERSION_TWO, font)).hexdigest(),
        hashlib.sha256(page_pdf(VERSION_TWO, font)).hexdigest(),
    ]
    assert result.stdout.split() == here
