"""``POST /api/v1/results``: issuing bodies submit a confirmed-results file with their API token.

The token is bound to one authority, which may import only the results it confirmed (other rows
are refused under ``jurisdiction``). The body is the file: a multipart ``file`` field, or the raw
bytes with a CSV / JSON / XLSX content type (``?filename=`` names it in messages). ``?dry_run=1``
checks without issuing. 200 with the report when accepted; 422 problem+json carrying the report
when anything is refused (then nothing was issued).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from certsvc.accounts.tokens import api_principal
from certsvc.errors import BadRequest, UnreadableFile
from certsvc.web import runtime
from certsvc.web.errors import problem_response
from certsvc.web.extensions import csrf
from certsvc.web.openapi import problem_responses

bp = Blueprint("results_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

IMPORT_ROLES = ("operator",)
RAW_TYPES = {
    "text/csv": "results.csv",
    "text/plain": "results.csv",
    "application/csv": "results.csv",
    "application/json": "results.json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "results.xlsx",
    "application/octet-stream": "results",
}
_TRUE = ("1", "true", "yes")


@bp.post("/results")
def submit_results() -> Response:
    from certsvc.certificates.issuing import import_results

    principal = api_principal(*IMPORT_ROLES)
    data, filename = _uploaded_file()
    try:
        report = import_results(
            runtime(),
            data,
            filename,
            dry_run=request.args.get("dry_run", "").lower() in _TRUE,
            acting_authority=principal.authority_code,
            actor=f"api-token:{principal.token_id}",
        )
    except UnreadableFile as error:
        # Same shape as a refused file, so clients handle one 422 body: the whole file is the problem.
        file_problem = {"row": 0, "field": "file", "rule": "form", "message": error.message}
        return problem_response(
            422,
            error.code,
            error.title,
            error.message,
            extra={"detail_zh": error.detail_zh or error.message, "issued": [], "refused": [file_problem]},
        )
    body = report.to_json()
    if not report.ok:
        return problem_response(
            422,
            "results-refused",
            "Results file refused",
            f"{len(report.refused)} problem(s) found; nothing was issued",
            extra={"detail_zh": f"发现 {len(report.refused)} 个问题，未签发任何证书", **body},
        )
    return jsonify(body)


def _uploaded_file() -> tuple[bytes, str]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(
                "the multipart body needs a 'file' field", detail_zh="请在 file 字段中上传结果文件"
            )
        return upload.read(), _safe_name(upload.filename or "results")
    default_name = RAW_TYPES.get(request.mimetype)
    if default_name is None:
        raise BadRequest(
            "send the file as multipart 'file', or as text/csv, application/json or an .xlsx body",
            detail_zh="请以 multipart 的 file 字段上传，或以 CSV、JSON、XLSX 内容类型直接提交文件",
        )
    data = request.get_data(cache=False)
    if not data:
        raise BadRequest("the request body is empty", detail_zh="请求内容为空")
    return data, _safe_name(request.args.get("filename") or default_name)


def _safe_name(name: str) -> str:
    # The name only labels messages; keep its last path segment and nothing that could inject lines.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable())[:100]
    return cleaned or "results"


_REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "file": {"type": "string"},
        "sha256": {"type": "string"},
        "dry_run": {"type": "boolean"},
        "rows": {"type": "integer"},
        "issued": {"type": "array", "items": {"$ref": "#/components/schemas/NumberedRow"}},
        "already_issued": {"type": "array", "items": {"$ref": "#/components/schemas/NumberedRow"}},
        "refused": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "field": {"type": "string"},
                    "rule": {
                        "type": "string",
                        "enum": [
                            "attendance",
                            "vote",
                            "publicity",
                            "order",
                            "jurisdiction",
                            "committee",
                            "identity",
                            "duplicate",
                            "form",
                            "integrity",
                        ],
                    },
                    "message": {"type": "string"},
                    "message_zh": {"type": "string"},
                },
                "required": ["row", "field", "rule", "message"],
            },
        },
        "warnings": {
            "type": "array",
            "description": "Accepted rows worth a clerk's attention (rule 11: confirmation late).",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "field": {"type": "string"},
                    "rule": {"type": "string", "enum": ["deadline"]},
                    "message": {"type": "string"},
                    "message_zh": {"type": "string"},
                },
                "required": ["row", "field", "rule", "message"],
            },
        },
        "would_issue": {"type": "integer"},
        "batch_id": {"type": ["integer", "null"]},
    },
    "required": ["issued", "refused"],
}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/results": {
            "post": {
                "summary": "Import a confirmed-results file and issue its certificates (all or nothing)",
                "operationId": "submitResults",
                "security": [{"apiToken": []}],
                "parameters": [
                    {
                        "name": "dry_run",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["0", "1"]},
                        "description": "1: check every rule, issue nothing",
                    },
                    {
                        "name": "filename",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "name used in messages when the body is the raw file",
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                                "required": ["file"],
                            }
                        },
                        "text/csv": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                "responses": {
                    "200": {
                        "description": "Accepted: issued (or, for a dry run, would issue) every row",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}
                        },
                    },
                    "422": {
                        "description": "Refused (every problem listed; nothing issued) or unreadable file",
                        "content": {
                            "application/problem+json": {
                                "schema": {
                                    "allOf": [
                                        {"$ref": "#/components/schemas/Problem"},
                                        {"$ref": "#/components/schemas/ImportReport"},
                                    ]
                                }
                            }
                        },
                    },
                    **problem_responses(400, 401, 403, 409),
                },
            }
        }
    },
    "components": {
        "schemas": {
            "ImportReport": _REPORT_SCHEMA,
            "NumberedRow": {
                "type": "object",
                "properties": {"row": {"type": "integer"}, "certificate_number": {"type": "string"}},
                "required": ["row", "certificate_number"],
            },
        },
        "securitySchemes": {
            "apiToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "An issuing body's API token (cst_…), bound to one authority",
            }
        },
    },
}
