"""The language of an HTML page and the template helpers every page shares.

zh-CN unless the browser prefers English or the visitor switches (``?lang=en``, remembered in a
cookie): Flask-Babel's locale, chosen by ``certsvc.web.extensions.select_locale``. Templates write
``t("中文")`` for text (Flask-Babel's gettext over the catalogs in ``certsvc/translations``) and
``label(kind, slug)`` for slugs (pgettext in the kind's context, ``certsvc.texts.LABELS``), in the
public pages and the portal alike; ``cert_value(kind, value)`` shows a certificate value (title,
level, series, specialty) with its standard English name on English pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask import Flask, Response, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from certsvc import texts
from certsvc.errors import CertsvcError
from certsvc.timefmt import china_minute

LANG_COOKIE_SECONDS = 365 * 24 * 3600
# Every signed-in page's blueprint (the console's are all named issuer*); ``web.portal`` never
# lets a cache keep their pages.
PORTAL_BLUEPRINTS = (
    "auth",
    "holder",
    "issuer",
    "issuer_approvals",
    "issuer_audit",
    "issuer_integrity",
    "issuer_registry",
    "employer",
)
# Every blueprint answering with HTML pages: the portal's and those anyone may open.
HTML_BLUEPRINTS = ("public", "shared", "reports", *PORTAL_BLUEPRINTS)


def language() -> str:
    """``zh`` or ``en``: the language of the current request's page (Flask-Babel's locale)."""
    return _request_catalog()[0]


def _request_catalog() -> tuple[str, NullTranslations]:
    """The request's language and Flask-Babel's translations for it, looked up once per request
    (a page makes dozens of lookups; ``texts.in_language`` drops this when it changes the locale)."""
    found: tuple[str, NullTranslations] | None = g.get(texts.REQUEST_CATALOG)
    if found is None:
        locale = flask_babel.get_locale()
        chosen = texts.SOURCE_LANGUAGE if locale is None else str(locale.language)
        found = (chosen, flask_babel.get_translations())
        setattr(g, texts.REQUEST_CATALOG, found)
    return found


def t(text: str, **values: Any) -> str:
    """UI text (Chinese source) in the request's language, from Flask-Babel's catalog (gettext);
    ``%(name)s`` placeholders are filled from ``values``."""
    translated = str(_request_catalog()[1].ugettext(text))
    return translated % values if values else translated


def label(kind: str, slug: str | None) -> str:
    """The display label of a slug (a status, a reason, a verdict step …) in the request's language
    (pgettext in the kind's context)."""
    if slug is None:
        return ""
    return str(_request_catalog()[1].upgettext(kind, texts.source_text(kind, slug)))


def cert_value(kind: str, value: str | None) -> Markup:
    """A certificate value as printed (工程师); on English pages its standard English name, with
    the Chinese beside it to match the paper (``Engineer 工程师``). Unknown values stay as printed."""
    if not value:
        return Markup("—")
    english = label(kind, value) if language() == "en" else value
    if english == value:
        return escape(value)
    return Markup('{} <span class="orig" lang="zh-CN">{}</span>').format(english, value)


def coarse_client(client: str | None) -> str:
    """A coarse client (``WeChat · phone``, ``certsvc.certificates.shares.coarse_client``) in the
    page's language (微信 · 手机)."""
    if not client:
        return ""
    browser, _, device = client.partition(" · ")
    return f"{label('browser', browser)} · {label('device', device)}"


def error_text(error: CertsvcError) -> str:
    """An error's message in the request's language; in Chinese, an error raised without Chinese
    words says the Chinese title of its code rather than English."""
    if language() != "zh":
        return error.message
    return error.detail_zh or label(
        "error", error.code if error.code in texts.LABELS["error"] else "bad-request"
    )


# The query parameters a page means (everything else is dropped from its language links): url_for
# treats some names as instructions (``_external``, ``_scheme``, ``_method``, ``_anchor``), which let
# a crafted query string put a forged Host into links or raise an error (issue 16).
# The console lists' filters among them carry no personal data (see certificates.listing), nor do the
# action log's (actions, staff logins or pseudonyms, certificate or proposal numbers, dates).
LANGUAGE_LINK_PARAMETERS = (
    *("status", "activated", "next", "q"),
    *("number", "doc_no", "batch", "employer", "series", "level", "from", "to", "source", "page"),
    *("action", "staff", "target", "since", "until", "year"),
)
MAX_LINK_PARAMETER_CHARS = 500


def lang_url(lang: str) -> str:
    """The current page in another language (the choice is then remembered in a cookie)."""
    values: dict[str, Any] = {
        name: value
        for name in LANGUAGE_LINK_PARAMETERS
        if isinstance(value := request.args.get(name), str) and len(value) <= MAX_LINK_PARAMETER_CHARS
    }
    values.update(request.view_args or {})
    values["lang"] = lang
    try:
        return url_for(request.endpoint or "public.start", **values)
    except BuildError:
        return url_for("public.start", lang=lang)


def china_time(moment: dt.datetime | None) -> str:
    """A time as people in China read it, saying which zone it is in (visitors may be abroad)."""
    return "—" if moment is None else china_minute(moment) + " (UTC+8)"


def long_date(day: dt.date | None) -> str:
    if day is None:
        return "—"
    if language() == "en":
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日"


def _helpers() -> dict[str, Any]:
    return {
        "t": t,
        "label": label,
        "cert_value": cert_value,
        "language": language,
        "lang_url": lang_url,
        "error_text": error_text,
    }


def _remember_language(response: Response) -> Response:
    chosen = request.args.get("lang")
    if (
        request.blueprint in HTML_BLUEPRINTS
        and chosen in texts.LANGUAGES
        and request.cookies.get("lang") != chosen
    ):
        response.set_cookie("lang", chosen, max_age=LANG_COOKIE_SECONDS, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    app.context_processor(_helpers)
    app.add_template_filter(china_time, "china_time")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(coarse_client, "coarse_client")
    app.after_request(_remember_language)
