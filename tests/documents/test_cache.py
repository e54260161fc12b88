"""The render cache: a version's document is rendered once, stored atomically, and reused."""

from __future__ import annotations

import stat
from pathlib import Path

from certsvc.documents.cache import RenderKey, cached_render


class _Renderer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.data


def test_second_request_is_served_from_cache_without_rendering(tmp_path: Path) -> None:
    """Rendering happens on the first request only; later requests get the same bytes."""
    render = _Renderer(b"%PDF-rendered")
    key = RenderKey("BJ2024WS0001239", 1, "pdf")
    assert cached_render(tmp_path, key, render) == b"%PDF-rendered"
    assert cached_render(tmp_path, key, render) == b"%PDF-rendered"
    assert render.calls == 1


def test_versions_formats_and_variants_are_cached_separately(tmp_path: Path) -> None:
    """A reissued version, another format, or a masked copy never gets another entry's bytes."""
    keys = [
        RenderKey("BJ2024WS0001239", 1, "pdf"),
        RenderKey("BJ2024WS0001239", 2, "pdf"),
        RenderKey("BJ2024WS0001239", 1, "png"),
        RenderKey("BJ2024WS0001239", 1, "pdf", variant="masked"),
        RenderKey("BJ2024WS0001239", 1, "pdf", renderer_version="99"),
    ]
    for index, key in enumerate(keys):
        cached_render(tmp_path, key, _Renderer(str(index).encode()))
    assert [cached_render(tmp_path, key, _Renderer(b"stale")) for key in keys] == [
        b"0",
        b"1",
        b"2",
        b"3",
        b"4",
    ]


def test_cache_entries_are_private_and_no_temporary_files_remain(tmp_path: Path) -> None:
    """Entries hold personal data: only the service user may read them; writes leave no debris."""
    cache_dir = tmp_path / "render-cache"
    cached_render(cache_dir, RenderKey("BJ2024WS0001239", 1, "png"), _Renderer(b"png"))
    entries = list(cache_dir.iterdir())
    assert len(entries) == 1
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


def test_key_with_path_characters_cannot_escape_the_cache_directory(tmp_path: Path) -> None:
    """A hostile certificate number is hashed into a file name inside the cache directory."""
    cache_dir = tmp_path / "cache"
    cached_render(cache_dir, RenderKey("../../etc/passwd", 1, "png"), _Renderer(b"x"))
    assert [p.parent for p in tmp_path.rglob("*") if p.is_file()] == [cache_dir]
