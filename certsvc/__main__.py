"""``python -m certsvc`` is the ``certsvc`` command."""

from __future__ import annotations

import sys

from certsvc.cli import main

sys.exit(main())
