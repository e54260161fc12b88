"""Issue 16, finding 3: crafted image and PDF uploads are refused cheaply, never a crash."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from certsvc.errors import UnreadableDocument
from certsvc.verification.targets import token_from_document
from tests.security import hostile


def test_a_tiny_png_claiming_64_megapixels_is_refused_from_its_header() -> None:
    """An 8000×8000 PNG of about 8 KB is refused before any pixel is decoded: well under 0.1 s and
    a few MB, where decoding it cost most of a second and 130–180 MB per worker."""
    bomb = hostile.pixel_bomb()
    assert len(bomb) < 10_000
    with pytest.raises(UnreadableDocument):
        token_from_document(hostile.png(16, 16))  # warm the imports up first
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="8000×8000"):
        token_from_document(bomb)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.1 and peak < 5_000_000, (elapsed, peak)


def test_a_large_image_with_implausibly_few_bytes_is_refused() -> None:
    """Within the pixel budget, an image claiming 20 megapixels in a few KB is still a bomb."""
    with pytest.raises(UnreadableDocument, match="far more pixels"):
        token_from_document(hostile.png(5000, 4000))


def test_png_text_chunks_that_inflate_to_megabytes_are_refused() -> None:
    """zTXt/iTXt chunks inflating to 64 MB each are refused as unreadable, not a 500."""
    with pytest.raises(UnreadableDocument):
        token_from_document(hostile.text_bomb())


@pytest.mark.parametrize("kind", ["zero", "huge", "negative", "badcs", "attachment", "loop"])
def test_degenerate_pdfs_are_unreadable_documents(kind: str) -> None:
    """PDFs with zero, negative or huge images, a broken attachment or a reference loop give the
    clear "unreadable" error; before the fix some raised ZeroDivisionError (a 500)."""
    with pytest.raises(UnreadableDocument):
        token_from_document(hostile.degenerate_pdf(kind))
