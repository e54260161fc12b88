"""The QR code printed on a certificate, as a module matrix both renderers draw crisply."""

from __future__ import annotations

import functools

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE_MODULES = 4


@functools.lru_cache(maxsize=256)
def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """Dark/light modules of ``text`` at error correction M, quiet zone included (rows, top first).

    The signing package keeps the URL within QR version 10 at level M; the matrix is whatever
    version fits, so a longer URL still renders and scans.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE_MODULES, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())
