"""CertificateDocument refuses inconsistent versions before anything is drawn."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from certsvc.documents.model import chinese_date
from certsvc.errors import InvalidDocument
from tests.documents.support import VERSION_ONE, VERSION_TWO


def test_version_one_with_a_reissue_date_is_refused() -> None:
    """An original certificate cannot claim to be a reissue."""
    with pytest.raises(InvalidDocument):
        replace(VERSION_ONE, reissue_date=date(2025, 1, 1))


def test_reissued_version_without_a_reissue_date_is_refused() -> None:
    """A version after the first must say when it was reissued."""
    with pytest.raises(InvalidDocument):
        replace(VERSION_TWO, reissue_date=None)


def test_credential_that_is_not_a_compact_jws_is_refused() -> None:
    """Whitespace or non-ASCII in the credential is a caller bug, caught before rendering."""
    with pytest.raises(InvalidDocument):
        replace(VERSION_ONE, credential_jws="not a jws")


def test_dates_print_in_chinese_form_without_zero_padding() -> None:
    """Dates read 2024年6月3日, as on paper certificates."""
    assert chinese_date(date(2024, 6, 3)) == "2024年6月3日"
