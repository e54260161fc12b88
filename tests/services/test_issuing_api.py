"""``POST /api/v1/results``: token-bound imports over HTTP (multipart or raw body), all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from certsvc.accounts.services import create_api_token
from certsvc.runtime import Runtime
from tests.services.support import sample, table_counts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _token(runtime: Runtime, authority: str, role: str = "operator") -> dict[str, str]:
    with runtime.database.write() as session:
        token = create_api_token(session, runtime, authority_code=authority, role=role, label="test")
    return {"Authorization": f"Bearer {token}"}


def test_authority_imports_its_own_file_as_multipart(
    client: FlaskClient, runtime: Runtime, sample_results: Path
) -> None:
    """A province token uploading its own results gets 200 and the report of issued certificates."""
    import io

    response = client.post(
        "/api/v1/results",
        headers=_token(runtime, "450000"),
        data={"file": (io.BytesIO(sample(sample_results, "sample-450000.csv")), "sample-450000.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert len(body["issued"]) == 100 and body["refused"] == []
    assert body["file"] == "sample-450000.csv"


def test_county_token_cannot_import_province_results(
    client: FlaskClient, runtime: Runtime, sample_results: Path
) -> None:
    """A county token posting a province's file gets 422 problem+json listing every row under
    jurisdiction, and nothing is written."""
    headers = _token(runtime, "421221")
    before = table_counts(runtime)

    response = client.post(
        "/api/v1/results?filename=prov.csv",
        headers=headers,
        data=sample(sample_results, "sample-450000.csv"),
        content_type="text/csv",
    )

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["issued"] == [] and len(body["refused"]) == 100
    assert {(r["field"], r["rule"]) for r in body["refused"]} == {("authority_code", "jurisdiction")}
    assert table_counts(runtime)["certificates"] == before["certificates"] == 0


def test_raw_body_dry_run_issues_nothing(client: FlaskClient, runtime: Runtime, sample_results: Path) -> None:
    """?dry_run=1 with a raw CSV body checks the file and issues nothing."""
    response = client.post(
        "/api/v1/results?dry_run=1&filename=cq.csv",
        headers=_token(runtime, "500000"),
        data=sample(sample_results),
        content_type="text/csv",
    )
    assert response.status_code == 200
    assert response.get_json()["would_issue"] == 100
    assert table_counts(runtime)["certificates"] == 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer cst_not-a-token"}, 401), ({"Authorization": "Basic abc"}, 401)],
)
def test_missing_or_unknown_token_is_401(
    client: FlaskClient, sample_results: Path, headers: dict[str, str], status: int
) -> None:
    """Without a valid bearer token nothing is read or imported."""
    response = client.post(
        "/api/v1/results", headers=headers, data=sample(sample_results), content_type="text/csv"
    )
    assert response.status_code == status


def test_auditor_token_is_403(client: FlaskClient, runtime: Runtime, sample_results: Path) -> None:
    """An auditor's token may read but not import."""
    response = client.post(
        "/api/v1/results",
        headers=_token(runtime, "500000", role="auditor"),
        data=sample(sample_results),
        content_type="text/csv",
    )
    assert response.status_code == 403


def test_unsupported_body_is_400_and_unreadable_file_422(client: FlaskClient, runtime: Runtime) -> None:
    """A body of an unknown type is a 400; a binary "CSV" is 422 with a message naming the file."""
    headers = _token(runtime, "500000")
    assert (
        client.post("/api/v1/results", headers=headers, data=b"x", content_type="image/png").status_code
        == 400
    )
    response = client.post(
        "/api/v1/results?filename=junk.csv", headers=headers, data=b"\x00\xff\x00", content_type="text/csv"
    )
    assert response.status_code == 422
    assert "junk.csv" in response.get_json()["detail"]


def test_openapi_describes_the_endpoint_with_bearer_auth(client: FlaskClient) -> None:
    """The OpenAPI document lists POST /api/v1/results and a bearer security scheme."""
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/results"]["post"]
    scheme = operation["security"][0]
    name = next(iter(scheme))
    assert document["components"]["securitySchemes"][name]["scheme"] == "bearer"
