"""Who did what: the acting person or program of every change (``actors``), the action log an
auditor reads and exports (``models``, ``services``, ``export``, ``views``).

The action log is internal (the issuing body's auditors and the server operator); the public
ledger names only the acting role and a pseudonymous staff id (``actors.ledger_actor``).
"""
