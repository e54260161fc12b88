"""Fuzzing the JSON API from its own OpenAPI document (schemathesis, in-process over WSGI).

Every operation the running service describes at ``/api/v1/openapi.json`` gets generated requests,
valid and invalid, on a store holding the demo batches (SQLite and PostgreSQL). Checks: no 5xx,
status codes, content types and bodies conform to the document, and afterwards the store is
whole ("zero partial writes": see ``world.check_store``). ``POST /api/v1/results`` is fuzzed with
a real operator token, so the intake behind it is reached, not just the 401.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, GenerationMode, checks
from schemathesis.core.result import Ok

from certsvc.accounts.services import create_api_token
from certsvc.runtime import Runtime
from tests.reliability.figures import fuzz_scale, record
from tests.reliability.world import check_store, fuzzable_app, populate

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES_PER_OPERATION = max(5, int(10 * fuzz_scale()))
_tallies: dict[str, Counter[str]] = {}


@pytest.fixture
def fuzzed_runtime(runtime: Runtime) -> Iterator[Runtime]:
    populate(runtime, ("421221", "500000"))
    before = check_store(runtime)
    yield runtime
    after = check_store(runtime)
    assert after.certificates >= before.certificates
    kind = runtime.database.engine.dialect.name
    tally = _tallies.pop(kind, Counter())
    record(
        "api-fuzz",
        database=kind,
        requests=sum(tally.values()),
        statuses=dict(sorted(tally.items())),
        server_errors=sum(v for k, v in tally.items() if k.startswith("5")),
        certificates_before=before.certificates,
        certificates_after=after.certificates,
    )


@pytest.fixture
def api_schema(fuzzed_runtime: Runtime) -> BaseSchema:
    app = fuzzable_app(fuzzed_runtime)
    with fuzzed_runtime.database.write() as session:
        token = create_api_token(
            session, fuzzed_runtime, authority_code="421221", role="operator", label="fuzzing"
        )
    app.config["FUZZ_TOKEN"] = token
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _fuzz_operation(operation: Any, mode: GenerationMode, token: str, tally: Counter[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case[Any]) -> None:
        headers = {"Authorization": f"Bearer {token}"} if case.path == "/api/v1/results" else None
        response = case.call(headers=headers)
        tally[str(response.status_code)] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # An operation without parameters or body has no invalid requests to generate.


def _summary(error: BaseException) -> str:
    """One line per distinct failure (schemathesis groups them; the full text is pages long)."""
    parts = getattr(error, "exceptions", None) or [error]
    lines = {f"{type(part).__name__}: {str(part).strip().splitlines()[0][:200]}" for part in parts}
    reproduce = [line.strip() for line in str(error).splitlines() if line.strip().startswith("curl ")]
    return "; ".join(sorted(lines)) + (f" -- e.g. {reproduce[0][:400]}" if reproduce else "")


def test_every_operation_survives_generated_requests(api_schema: BaseSchema, fuzzed_runtime: Runtime) -> None:
    """Generated requests (valid and invalid) to every documented operation get a documented,
    well-formed, non-5xx answer; failures of all operations are reported together."""
    token = api_schema.app.config["FUZZ_TOKEN"]
    tally = _tallies.setdefault(fuzzed_runtime.database.engine.dialect.name, Counter())
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 10, "the OpenAPI document lost its operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(operation, mode, token, tally)
            except (
                Exception,
                BaseExceptionGroup,
            ) as error:  # collect every operation's failure, then fail once
                failures.append(f"{operation.label} [{mode.value}]: {_summary(error)}")
    assert not failures, "\n\n".join(failures)
