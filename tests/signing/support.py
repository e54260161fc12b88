"""Constants shared by the signing tests."""

from __future__ import annotations

import datetime as dt

NOW = dt.datetime(2025, 3, 1, 9, 30, 15, 250000, tzinfo=dt.UTC)
BASE_URL = "https://zhicheng.example.gov.cn"
PASSPHRASE = b"correct horse battery staple"
