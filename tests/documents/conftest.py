"""The CJK font every rendering test uses (found once per session)."""

from __future__ import annotations

import pytest

from certsvc.documents.fonts import CjkFont, find_cjk_font


@pytest.fixture(scope="session")
def font() -> CjkFont:
    return find_cjk_font()
