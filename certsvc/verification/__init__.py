"""Public verification: online verdicts, status lists, bulk checks, aggregate counters and their views."""
