"""``POST /api/v1/results``: issuing bodies submit a confirmed-results file with their API token.

The token is bound to one authority, which may import only the results it confirmed (other rows
are refused under ``jurisdiction``). The body is the file: a multipart ``file`` field, or the raw
bytes with a CSV / JSON / XLSX content type (``?filename=`` names it in messages). ``?dry_run=1``
checks without issuing. 200 with the report when accepted; 422 problem+json carrying the report
when anything is refused (then nothing was issued).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from certsvc.accounts.tokens import api_principal
from certsvc.audit.web import token_acting
from certsvc.certificates.schemas import (
    RESULTS_BODIES,
    ImportSummary,
    RefusedImport,
    RefusedRow,
    ResultsQuery,
)
from certsvc.errors import BadRequest, UnreadableFile
from certsvc.web import runtime
from certsvc.web.errors import problem_response
from certsvc.web.extensions import csrf
from certsvc.web.jsonio import json_response, query
from certsvc.web.openapi import Reply, Route, problems

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
    arguments = query(ResultsQuery)
    data, filename = _uploaded_file(arguments)
    try:
        report = import_results(
            runtime(),
            data,
            filename,
            dry_run=arguments.dry_run.lower() in _TRUE,
            acting_authority=principal.authority_code,
            actor=token_acting(principal),
        )
    except UnreadableFile as error:
        # Same shape as a refused file, so clients handle one 422 body: the whole file is the problem.
        file_problem = RefusedRow(row=0, field="file", rule="form", message=error.message)
        return problem_response(
            422,
            error.code,
            error.title,
            error.message,
            extra={
                "detail_zh": error.detail_zh or error.message,
                "issued": [],
                "refused": [file_problem.model_dump(mode="json")],
            },
        )
    summary = ImportSummary.model_validate(report.to_json())
    if not report.ok:
        return problem_response(
            422,
            "results-refused",
            "Results file refused",
            f"{len(report.refused)} problem(s) found; nothing was issued",
            extra={
                "detail_zh": f"发现 {len(report.refused)} 个问题，未签发任何证书",
                **summary.model_dump(mode="json"),
            },
        )
    return json_response(summary)


def _uploaded_file(arguments: ResultsQuery) -> tuple[bytes, str]:
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
    return data, _safe_name(arguments.filename or default_name)


def _safe_name(name: str) -> str:
    # The name only labels messages; keep its last path segment and nothing that could inject lines.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable())[:100]
    return cleaned or "results"


ROUTES = (
    Route(
        "post",
        "/api/v1/results",
        "submitResults",
        "Import a confirmed-results file and issue its certificates (all or nothing)",
        {
            200: Reply("Accepted: issued (or, for a dry run, would issue) every row", ImportSummary),
            **problems(
                422,
                shape=RefusedImport,
                description="Refused (every problem listed; nothing issued) or unreadable file",
            ),
            **problems(400, 401, 403, 409),
        },
        body=RESULTS_BODIES,
        query=ResultsQuery,
        token=True,
    ),
)
