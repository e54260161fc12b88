"""The WSGI app gunicorn serves in the load test: ``create_app()`` from the CERTSVC_* environment, with
the per-client rate limits raised (all load comes from one loopback address, which in production
would be thousands of clients). The shipped limits are tested against ``certsvc serve`` itself.
"""

from __future__ import annotations

from certsvc import create_app
from tests.reliability.world import UNLIMITED_RATES

app = create_app()
app.config.update(UNLIMITED_RATES)
