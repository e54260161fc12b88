"""Fuzzing the issuer JSON API from its OpenAPI description, with real tokens of the allowed roles.

schemathesis generates valid and invalid requests for every ``/api/v1/certificates…`` and
``/api/v1/reissue-requests…`` operation, once with generated path parameters and once aimed at a real
certificate or pending request of the token's authority, so bodies reach the services. Checks: no 5xx,
documented statuses, content types and bodies; afterwards the store is whole and the ledger audits.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.result import Ok

from certsvc.accounts.services import create_api_token
from certsvc.certificates.reissue import submit_request
from certsvc.runtime import Runtime
from tests.accounts.fixtures import COUNTY, people
from tests.reliability.figures import fuzz_scale
from tests.reliability.world import check_store

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = max(5, int(8 * fuzz_scale()))
PREFIXES = ("/api/v1/certificates", "/api/v1/reissue-requests")


def _role(method: str, path: str) -> str:
    if method == "GET":
        return "auditor"
    return "operator" if path.endswith("/reissue") else "reviewer"


def _fuzz(operation: Any, mode: GenerationMode, token: str, aim: dict[str, Any], tally: Counter[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case[Any]) -> None:
        if aim and case.path_parameters is not None:
            case.path_parameters.update({k: v for k, v in aim.items() if k in case.path_parameters})
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        tally[str(response.status_code)] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise


def test_issuer_operations_survive_generated_requests(issued: Runtime) -> None:
    """Generated requests with the allowed role's token, against made-up and real certificates and
    requests, get documented, well-formed, non-5xx answers, and leave a consistent store behind."""
    from certsvc import create_app

    app = create_app(runtime=issued)
    app.config.update(TESTING=True, CERTSVC_ISSUER_API_RATE="1000000/minute")
    tokens = {}
    with issued.database.write() as session:
        for role in ("operator", "reviewer", "auditor"):
            tokens[role] = create_api_token(session, issued, authority_code=COUNTY, role=role, label="fuzz")
    persons = people(issued, COUNTY, 3)
    with issued.database.write() as session:
        request_ids = [
            submit_request(session, issued, holder_id=p.holder_id, number=p.number, reason="lost").id
            for p in persons
        ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and result.ok().path.startswith(PREFIXES)
    ]
    assert len(operations) == 9
    tally: Counter[str] = Counter()
    failures = []
    for operation in operations:
        token = tokens[_role(operation.method.upper(), operation.path)]
        for aim in ({}, {"number": persons[0].number, "request_id": request_ids[0]}):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, token, aim, tally)
                except (Exception, BaseExceptionGroup) as error:  # report every operation's failure at once
                    failures.append(
                        f"{operation.label} [{mode.value}, aimed={bool(aim)}]: {str(error)[:600]}"
                    )
    assert not failures, "\n\n".join(failures)
    assert tally["200"] > 0 and tally["400"] > 0, tally
    check_store(issued)
