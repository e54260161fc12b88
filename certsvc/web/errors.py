"""The one place that turns exceptions into HTTP responses.

Under /api/ and the machine paths (/.well-known/, /status/, /issuers/, /contexts/) callers get
RFC 9457 problem details (English ``title``/``detail``, Chinese ``detail_zh``); everyone else gets
a friendly HTML page in the page's language: the error code's title from the catalog
(``LABELS["error"]``) and the error's own words, or the catalog's (``LABELS["error_detail"]``)
for errors that bring none (werkzeug's, the limiter's, CSRF). Nobody ever gets a stack trace. A request that does not fit its declared shape (a pydantic ``ValidationError``) becomes the
same 400 problem, with ``field`` naming the member at fault, here too (``invalid_request``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from pydantic import ConfigDict, ValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import ErrorDetails
from werkzeug.exceptions import HTTPException

from certsvc import texts
from certsvc.errors import BadRequest, CertsvcError, InvalidField
from certsvc.log import get_logger
from certsvc.schemas import ResponseShape, left_out_if_none
from certsvc.texts import LABELS, bilingual
from certsvc.web.extensions import limiter
from certsvc.web.language import label, language

log = get_logger("certsvc.errors")
PROBLEM_BASE = "https://certsvc.example/problems/"
# How long a client is asked to wait while the rate-limit store does not answer.
STORE_RETRY_SECONDS = 5
MAX_MEMBER_CHARS = 64


class Problem(ResponseShape):
    """RFC 9457 problem details. Further members may follow (``step``, ``field``, an import report)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    detail_zh: str | SkipJsonSchema[None] = left_out_if_none("the detail in Chinese")


class FieldProblem(Problem):
    """A refused request; ``field`` names the member at fault when one member is."""

    field: str | SkipJsonSchema[None] = left_out_if_none("the request member at fault")


def wants_problem_json() -> bool:
    path = request.path
    return (
        path.startswith(("/api/", "/.well-known/", "/status/", "/issuers/", "/contexts/"))
        or request.accept_mimetypes.best == "application/json"
    )


def problem_response(
    status: int, code: str, title: str, detail: str, *, extra: dict[str, Any] | None = None
) -> Response:
    problem = Problem(
        type=PROBLEM_BASE + code,
        title=title,
        status=status,
        detail=detail,
        instance=request.path if len(request.path) <= 200 else request.path[:200],
        **(extra or {}),
    )
    response = jsonify(problem.model_dump(mode="json"))
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(
    status: int,
    code: str,
    title: str,
    detail: str | None,
    extra: dict[str, Any] | None = None,
    *,
    detail_zh: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """A problem (``title``, ``detail``, ``extra``) for machines, else the page. ``detail`` and
    ``detail_zh`` are the error's own words; None lets the page say the catalog's for ``code``."""
    if wants_problem_json():
        english = detail if detail is not None else _catalog_detail(code, "en", values)
        return problem_response(status, code, title, english, extra=extra)
    page_title = _page_title(status, code)
    own = detail_zh if language() == "zh" else detail
    page_detail = own or _catalog_detail(code, language(), values)
    html = render_template(
        "error.html",
        status=status,
        code=code,
        title=page_title,
        detail="" if page_detail == page_title else page_detail,
    )
    return Response(html, status=status, mimetype="text/html")


def _page_title(status: int, code: str) -> str:
    known = code if code in LABELS["error"] else ("bad-request" if status < 500 else "internal")
    return label("error", known)


def _catalog_detail(code: str, lang: str, values: dict[str, Any] | None) -> str:
    if code not in LABELS["error_detail"]:
        return ""
    text = texts.label("error_detail", code, lang)
    return text % values if values else text


def handle_certsvc_error(error: CertsvcError) -> Response:
    extra: dict[str, Any] = {}
    if error.detail_zh:
        extra["detail_zh"] = error.detail_zh
    step = getattr(error, "step", None)
    if step:
        extra["step"] = step
    if isinstance(error, InvalidField):
        extra["field"] = error.field
    if error.status >= 500:
        log.error("certsvc error", exc_info=error, extra={"fields": {"code": error.code}})
    return _render(error.status, error.code, error.title, error.message, extra, detail_zh=error.detail_zh)


def handle_http_exception(error: HTTPException) -> Response:
    # A store failure after the view (while Flask-Limiter writes the X-RateLimit headers) reaches
    # Flask's 500 handling: it is the same outage as one before the view.
    original = getattr(error, "original_exception", None)
    if isinstance(original, StorageError):
        return handle_storage_error(original)
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "-")
    if status == 429:
        seconds = _seconds_until_reset()
        if wants_problem_json():
            detail, detail_zh = rate_limited_detail(error)
            response = _render(status, code, error.name or "Error", detail, {"detail_zh": detail_zh})
        else:
            # Pages say it in the page's words, with the wait in seconds (the catalog's text).
            response = _render(status, code, error.name or "Error", None, values={"seconds": seconds})
        response.headers["Retry-After"] = str(seconds)
        return response
    # werkzeug's descriptions are for machines: pages say the catalog's words for the code.
    if wants_problem_json():
        return _render(status, code, error.name or "Error", error.description or "")
    return _render(status, code, error.name or "Error", None)


def _seconds_until_reset() -> int:
    """Seconds until the breached limit lets the client in again (60 when the limiter cannot say)."""
    try:
        current = limiter.current_limit
        if current is not None:
            return max(1, int(current.reset_at - time.time()))
    except Exception:  # the store went away meanwhile: a sensible default, never a 500
        log.warning("rate-limit reset time unavailable")
    return 60


_PERIODS_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "个月", "year": "年"}


def rate_limited_detail(error: HTTPException) -> tuple[str, str]:
    """What a 429 says, in English and Chinese: which limit was reached, and to wait (Retry-After)."""
    item = getattr(getattr(error, "limit", None), "limit", None)
    if item is None:
        return (
            "Too many requests; try again after the time given in Retry-After.",
            "请求过于频繁，请稍后（Retry-After 所示秒数后）再试。",
        )
    period = item.GRANULARITY.name
    window_zh = (
        _PERIODS_ZH.get(period, period)
        if item.multiples == 1
        else f" {item.multiples} {_PERIODS_ZH.get(period, period)}"
    )
    window_en = period if item.multiples == 1 else f"{item.multiples} {period}s"
    return (
        f"Too many requests: the limit ({item.amount} per {window_en}) is reached; try again after "
        "the time given in Retry-After.",
        f"请求过于频繁：已达到限额（每{window_zh} {item.amount}），请稍后（Retry-After 所示秒数后）再试。",
    )


def handle_storage_error(error: StorageError) -> Response:
    """The rate-limit store (Redis) did not answer: 503 with Retry-After, never the request
    unlimited nor counted in a per-process fallback (docs/adr/0010-rate-limits-and-one-request-path.md)."""
    log.warning(
        "rate-limit store unavailable", extra={"fields": {"error": type(error.storage_error).__name__}}
    )
    english, chinese = bilingual("error_detail", "rate-limit-store-unavailable")
    response = _render(
        503,
        "rate-limit-store-unavailable",
        "Service briefly unavailable",
        english,
        {"detail_zh": chinese},
        detail_zh=chinese,
    )
    response.headers["Retry-After"] = str(STORE_RETRY_SECONDS)
    return response


def handle_csrf_error(error: CSRFError) -> Response:
    if wants_problem_json():
        return _render(400, "csrf", "Form expired", "The form's CSRF token is missing or invalid.")
    return _render(400, "csrf", "Form expired", None)


def handle_unexpected(error: Exception) -> Response:
    log.error("unhandled exception", exc_info=error)
    english, chinese = bilingual("error_detail", "internal")
    return _render(500, "internal", "Internal error", english, detail_zh=chinese)


# What each kind of pydantic error says about a member, in English and Chinese ({…}: its context).
_PHRASES: dict[str, tuple[str, str]] = {
    "missing": ("is required", "为必填项"),
    "extra_forbidden": ("is not a member of this request", "不是本请求支持的字段"),
    "string_type": ("must be a string", "须为字符串"),
    "string_too_short": ("must have at least {min_length} character(s)", "至少须有 {min_length} 个字符"),
    "string_too_long": ("must be at most {max_length} characters long", "不得超过 {max_length} 个字符"),
    "int_type": ("must be an integer", "须为整数"),
    "greater_than": ("must be greater than {gt}", "须大于 {gt}"),
    "greater_than_equal": ("must be at least {ge}", "不得小于 {ge}"),
    "less_than_equal": ("must be at most {le}", "不得大于 {le}"),
    "date_type": ("must be a date YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期"),
    "date_parsing": ("must be a date YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期"),
    "date_from_datetime_parsing": ("must be a date YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期"),
    "list_type": ("must be an array", "须为数组"),
    "too_short": ("must have at least {min_length} item(s)", "至少须有 {min_length} 项"),
    "too_long": ("must have at most {max_length} items", "不得超过 {max_length} 项"),
}
_NOT_AN_OBJECT = ("model_type", "model_attributes_type", "dict_type")


def invalid_request(error: ValidationError) -> BadRequest:
    """The first thing wrong with a request, as the 400 problem clients know: ``InvalidField`` naming
    the member, or ``BadRequest`` when the body as a whole is wrong. A member the shape does not
    have is named first: a misspelt member usually explains a "missing" one. Messages never repeat
    the value sent (it may be a name or an ID number)."""
    details = error.errors(include_url=False, include_input=False)
    first = min(details, key=lambda detail: detail["type"] != "extra_forbidden")
    member = next((str(part) for part in reversed(first["loc"]) if isinstance(part, str)), None)
    context = first.get("ctx") or {}
    if member is None:
        return _whole_body_error(first, context)
    member = member[:MAX_MEMBER_CHARS]
    phrases = _PHRASES.get(first["type"])
    if phrases is not None:
        english, chinese = (phrase.format(**context) for phrase in phrases)
    else:  # a shape's own rule (PydanticCustomError) carries its Chinese text in its context
        english, chinese = first["msg"], str(context.get("zh", "不符合要求"))
    return InvalidField(member, f'"{member}" {english}', detail_zh=f"{member} {chinese}")


def _whole_body_error(first: ErrorDetails, context: dict[str, Any]) -> BadRequest:
    if first["type"] == "json_invalid":
        return BadRequest("the body is not valid JSON", detail_zh="请求体不是有效的 JSON")
    if first["type"] in _NOT_AN_OBJECT:
        return BadRequest("the body must be a JSON object", detail_zh="请求体必须是 JSON 对象")
    return BadRequest(first["msg"], detail_zh=str(context.get("zh", "请求体不符合要求")))


def init_app(app: Flask) -> None:
    app.register_error_handler(CertsvcError, handle_certsvc_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(StorageError, handle_storage_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
