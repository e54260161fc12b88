"""A directory-backed cache of rendered documents.

A certificate version never changes, so an entry keyed by (certificate number, version, format,
variant, renderer version) never goes stale and is never invalidated; bumping
``RENDERER_VERSION`` when the layout changes is what retires old entries. Entries hold personal
data (names, possibly full ID numbers), so the directory is created private to the service user.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RENDERER_VERSION = "2"

_SAFE_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class RenderKey:
    """What identifies one rendered file.

    ``variant`` separates renderings of the same version for different audiences (e.g. the
    holder's copy with the full ID number vs. a masked copy): without it they would share an entry.
    """

    certificate_number: str
    version: int
    format: str
    variant: str = "holder"
    renderer_version: str = RENDERER_VERSION

    def file_name(self) -> str:
        parts = (self.certificate_number, f"v{self.version}", self.variant, f"r{self.renderer_version}")
        if all(_SAFE_PART.fullmatch(part) for part in (*parts, self.format)):
            return f"{'-'.join(parts)}.{self.format}"
        # Never let a key choose a path: odd characters are hashed into a fixed-alphabet name.
        digest = hashlib.sha256("\x00".join((*parts, self.format)).encode()).hexdigest()
        return f"key-{digest}"


def cached_render(cache_dir: Path, key: RenderKey, render: Callable[[], bytes]) -> bytes:
    """The cached bytes for ``key``, rendering and storing them on a miss.

    Writes go to a temporary file in the same directory and are renamed into place, so concurrent
    readers see either nothing or a complete file; two concurrent misses both render, and the
    identical results replace one another harmlessly.
    """
    path = cache_dir / key.file_name()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render()
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return data
