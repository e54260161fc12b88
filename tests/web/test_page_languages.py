"""Every page speaks one language: a walk through every page the service renders (public, holder
portal, issuer console, sign-in, error pages) finds no English word in a zh-CN page, and error
pages speak each language.

The walk runs over the populated world of tests/security/conftest.py (both database engines). Its
visible text is what a person reads: text nodes, the page title, placeholders, tooltips and labels
for screen readers; ``<code>``/``<pre>``, ``.mono`` values (numbers, hashes) and elements marked as
another language (``lang="en"`` on the "English" switch) are not prose. Technical tokens that
Chinese pages use as they are (QR, PDF, URL, ID …, the product name certsvc) and anything with a
digit (certificate numbers, usernames, UTF-8) are allowed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from certsvc.accounts import totp
from certsvc.accounts.models import User
from certsvc.accounts.services import create_activation_link, enable_totp
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.certificates.shares import create_share
from certsvc.web.language import HTML_BLUEPRINTS
from tests.security import conftest as security
from tests.security.conftest import COUNTY, PASSWORD, World, csrf_token, sign_in

# The populated world of the security tests (module-scoped, one per database engine).
world = security.world

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
# Words Chinese pages use as they are: formats, standards, identifiers, brands and the product.
ALLOWED_WORDS = frozenset(
    {
        "QR", "PDF", "PNG", "JPEG", "JWS", "URL", "API", "ID", "USCC", "CSV", "XLSX", "JSON", "GBK",
        "MiB", "MB", "KB", "IP", "UTC", "ICP", "certsvc", "YYYY-MM-DD", "XX", "ABCD-EFGH-JKMN-PQRS",
        "Chrome", "Firefox", "Safari", "Edge", "Opera", "QQ", "Microsoft", "Authenticator", "Google", "Excel",
    }
)  # fmt: skip
# A textarea holds what the visitor typed (kept after an answer), not the page's words.
SKIPPED_TAGS = frozenset({"script", "style", "code", "pre", "template", "textarea"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]*")
# E-mail addresses, URLs and paths, file names and extensions (.xlsx) are not prose either.
NOT_PROSE = re.compile(
    r"\S+@\S+|https?://\S+|(?<![\w/])/[\w./-]+|[\w.-]*\.(?:xlsx|xlsm|xls|csv|json|pdf|png|jpe?g)\b",
    re.IGNORECASE,
)


class VisibleText(HTMLParser):
    """The text of a page a person reads in ``language`` (see the module docstring)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.other_language = "en" if language == "zh" else "zh"
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def _skipped(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        skipped = (
            tag in SKIPPED_TAGS
            or "mono" in attributes.get("class", "").split()
            or attributes.get("lang", "").startswith(self.other_language)
        )
        if not (skipped or self._skipped()):
            self.parts.extend(attributes[name] for name in SHOWN_ATTRIBUTES if attributes.get(name))
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.parts.append(attributes.get("value", ""))
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipped() and data.strip():
            self.parts.append(data)


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words(html: str) -> list[str]:
    """Latin words of a zh-CN page's visible text that are neither allowed nor identifiers."""
    text = NOT_PROSE.sub(" ", visible_text(html, "zh"))
    return [
        word
        for word in WORD.findall(text)
        if not any(c.isdigit() for c in word) and word.strip(".-") not in ALLOWED_WORDS
    ]


def chinese_text(html: str) -> list[str]:
    """Lines of an English page's visible text that hold Chinese characters."""
    return [line for line in visible_text(html, "en").splitlines() if CJK.search(line)]


@dataclass(frozen=True)
class Page:
    """One rendered answer of the walk: who asked for what, and the endpoint that answered."""

    what: str
    endpoint: str
    status: int
    html: str


class Walk:
    """Requests in one language, each remembered as a Page (HTML answers only)."""

    def __init__(self, world: World, headers: dict[str, str]) -> None:
        self.world = world
        self.headers = headers
        self.pages: list[Page] = []
        self.endpoints: set[str] = set()  # every endpoint asked, redirects' origins included
        self.adapter = world.app.url_map.bind("certs.example.test")

    def client(self, login: str | None = None) -> FlaskClient:
        client = self.world.fresh_client()
        client.environ_base.update(
            {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in self.headers.items()}
        )
        if login is not None:
            sign_in(client, login)
        return client

    def _endpoint(self, path: str, method: str) -> str:
        from werkzeug.exceptions import HTTPException

        try:
            endpoint, _ = self.adapter.match(path.split("?", maxsplit=1)[0], method=method)
        except HTTPException as error:
            return f"({error.code})"
        return str(endpoint)

    def get(self, client: FlaskClient, path: str, what: str = "") -> Page:
        return self._keep(client, what or f"GET {path}", path, "GET", client.get(path))

    def post(
        self, client: FlaskClient, path: str, data: dict[str, object], what: str = "", token_from: str = ""
    ) -> Page:
        form = dict(data)
        if token_from:
            form["csrf_token"] = csrf_token(client, token_from)
        return self._keep(client, what or f"POST {path}", path, "POST", client.post(path, data=form))

    def _keep(self, client: FlaskClient, what: str, path: str, method: str, response: TestResponse) -> Page:
        self.endpoints.add(self._endpoint(path, method))
        if response.status_code in (301, 302, 303):
            # A redirect's page is the one it leads to (its flash message shows there).
            location = response.headers["Location"]
            return self._keep(client, f"{what} → {location}", location, "GET", client.get(location))
        assert response.status_code < 500, (what, response.get_data(as_text=True)[:500])
        page = Page(what, self._endpoint(path, method), response.status_code, response.get_data(as_text=True))
        if response.mimetype == "text/html":
            self.pages.append(page)
        return page


def _payload(world: World, number: str) -> str:
    with world.runtime.database.read() as session:
        return (
            session.execute(
                select(CertificateVersion.qr_payload)
                .join(Certificate, Certificate.id == CertificateVersion.certificate_id)
                .where(Certificate.number == number)
                .order_by(CertificateVersion.version.desc())
            )
            .scalars()
            .first()
            or ""
        )


def walk_everything(world: World, walk: Walk) -> None:
    """Every page endpoint, in the states that change what it says (see test_the_walk_covers_every_page)."""
    holder = world.holders["holder-a"]
    payload = _payload(world, holder.number)
    county_numbers = _county_numbers(world)

    # --- public pages
    visitor = walk.client()
    walk.get(visitor, "/")
    walk.get(visitor, "/help")
    walk.get(visitor, "/verify/bulk")
    walk.get(visitor, f"/v/{payload}", "QR page, valid")
    walk.get(visitor, f"/V/{payload}?lang=zh", "QR page, upper case")
    walk.get(visitor, "/v/NOTAPAYLOAD", "QR page, not a certificate")
    walk.get(
        visitor, f"/v/{payload[:-3]}{'A' if payload[-3] != 'A' else 'B'}{payload[-2:]}", "QR page, forged"
    )
    walk.post(
        visitor, f"/v/{payload}/confirm", {"claim": holder.name}, "confirm: match", token_from=f"/v/{payload}"
    )
    walk.post(
        visitor, f"/v/{payload}/confirm", {"claim": "张三丰"}, "confirm: no match", token_from=f"/v/{payload}"
    )
    walk.post(
        visitor, "/verify", {"number": holder.number, "name": holder.name}, "number: valid", token_from="/"
    )
    walk.post(
        visitor, "/verify", {"number": holder.number, "name": "张三丰"}, "number: no match", token_from="/"
    )
    typo = holder.number[:-1] + ("A" if holder.number[-1] != "A" else "B")
    walk.post(
        visitor,
        "/verify",
        {"number": typo, "name": holder.name},
        "number: check-digit typo (400)",
        token_from="/",
    )
    walk.post(
        visitor,
        "/verify",
        {"number": "12345", "name": holder.name},
        "number: malformed (400)",
        token_from="/",
    )
    walk.post(
        visitor, "/verify", {"number": holder.number, "name": ""}, "number: no name (400)", token_from="/"
    )
    blank = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (120, 120), "white").save(blank, "PNG")
    walk.post(
        visitor,
        "/verify/upload",
        {"file": (io.BytesIO(blank.getvalue()), "photo.png")},
        "upload: no QR (422)",
        token_from="/",
    )
    walk.post(
        visitor,
        "/verify/upload",
        {"file": (io.BytesIO("会议纪要".encode()), "x.png")},
        "upload: renamed text file",
        token_from="/",
    )
    walk.post(visitor, "/verify/upload", {}, "upload: no file (400)", token_from="/")
    lines = "\n".join(
        [
            f"{holder.number},{holder.name}",
            f"{county_numbers[1]},张三丰",
            "12345,张三",
            "garbage",
            f"https://certs.example.test/v/{payload}",
        ]
    )
    walk.post(visitor, "/verify/bulk", {"items": lines}, "bulk: mixed lines", token_from="/verify/bulk")
    walk.post(visitor, "/verify/bulk", {"items": ""}, "bulk: nothing (400)", token_from="/verify/bulk")

    # --- sign-in, activation, reset, one-time links, shares
    walk.get(visitor, "/auth/login")
    walk.post(
        visitor,
        "/auth/login",
        {"account": "nobody", "password": "wrong-password"},
        "login: refused",
        token_from="/auth/login",
    )
    walk.get(visitor, "/auth/activate")
    walk.post(
        visitor,
        "/auth/activate",
        {
            "code": "ABCD-EFGH-JKMN-PQRS",
            "id_number": "110101199003074514",
            "name": "张三",
            "password": "x",
            "confirmation": "x",
        },
        "activate: refused",
        token_from="/auth/activate",
    )
    walk.get(visitor, "/auth/reset")
    walk.post(
        visitor,
        "/auth/reset",
        {"id_number": "110101199003074514", "name": "张三", "certificate_number": holder.number},
        "reset: sent",
        token_from="/auth/reset",
    )
    walk.get(visitor, "/auth/link/not-a-token", "one-time link: unusable")
    with world.runtime.database.write() as session:
        link = create_activation_link(
            session, world.runtime, county_numbers[2], created_by="test", actor_authority=COUNTY
        )
    walk.get(visitor, link[link.index("/auth/link/") :], "one-time link: usable")
    with world.runtime.database.write() as session:
        _, token = create_share(
            session, world.runtime, holder_id=_holder_id(world, holder.number), number=holder.number,
            purpose="入职 测试公司", days=30, show_full_name=True, show_id_last4=True,
        )  # fmt: skip
    walk.get(visitor, f"/s/{token}", "share link opened")
    walk.get(visitor, "/s/not-a-share-token", "share link unknown")
    totp_client = walk.client()
    totp_login = _staff_with_totp(world)
    walk.post(
        totp_client,
        "/auth/login",
        {"account": totp_login, "password": PASSWORD},
        "login: second factor asked",
        token_from="/auth/login",
    )
    walk.post(
        totp_client, "/auth/totp", {"code": "000000"}, "second factor: wrong code", token_from="/auth/totp"
    )

    # --- the holder portal
    me = walk.client(holder.login)
    walk.get(me, "/me/")
    walk.get(me, "/me/?activated=1", "portal: just activated")
    walk.get(me, f"/me/certificates/{holder.number}")
    walk.get(me, f"/me/certificates/{holder.number}/shares")
    walk.post(
        me,
        f"/me/certificates/{holder.number}/shares",
        {"purpose": "入职 某某公司", "days": "30", "full_name": "1"},
        "share: created",
        token_from=f"/me/certificates/{holder.number}/shares",
    )
    walk.get(me, f"/me/shares/{holder.share_id}")
    walk.post(
        me,
        f"/me/shares/{holder.share_id}/end",
        {},
        "share: ended",
        token_from=f"/me/shares/{holder.share_id}",
    )
    walk.get(me, f"/me/certificates/{holder.number}/reissue")
    walk.post(
        me,
        f"/me/certificates/{holder.number}/reissue",
        {"reason": "correction"},
        "reissue: incomplete",
        token_from=f"/me/certificates/{holder.number}/reissue",
    )
    walk.get(me, "/me/requests")
    walk.get(me, f"/me/requests/{holder.request_id}")
    walk.get(me, "/me/security")
    walk.post(
        me,
        "/me/security",
        {"action": "password", "current": "wrong", "password": "short", "confirmation": "short"},
        "security: refused",
        token_from="/me/security",
    )
    walk.get(me, "/issuer/", "holder in the console (403)")

    # --- the issuer console
    operator = walk.client(world.staff["operator-own"][0])
    reviewer = walk.client(world.staff["reviewer-own"][0])
    walk.get(operator, "/issuer/")
    walk.get(operator, "/issuer/certificates")
    walk.get(operator, "/issuer/certificates?status=suspended&level=中级")
    walk.get(operator, "/issuer/certificates?from=not-a-date", "certificate list: bad filter (400)")
    walk.get(operator, "/issuer/batches")
    walk.get(operator, "/issuer/batches?from=not-a-date", "batches: bad filter (400)")
    walk.post(
        operator,
        "/issuer/certificates",
        {"q": "0" * 18},
        "search: nothing found",
        token_from="/issuer/certificates",
    )
    walk.get(operator, f"/issuer/certificates/{holder.number}")
    walk.post(
        operator,
        f"/issuer/certificates/{county_numbers[3]}/activation-code",
        {},
        "activation notice",
        token_from=f"/issuer/certificates/{county_numbers[3]}",
    )
    walk.post(
        operator,
        f"/issuer/certificates/{county_numbers[4]}/activation-link",
        {},
        "activation link",
        token_from=f"/issuer/certificates/{county_numbers[4]}",
    )
    walk.post(
        operator,
        f"/issuer/certificates/{county_numbers[4]}/activation-email",
        {"email": "holder@example.org"},
        "activation e-mail: no SMTP",
        token_from=f"/issuer/certificates/{county_numbers[4]}",
    )
    walk.post(
        operator,
        f"/issuer/certificates/{county_numbers[5]}/reissue",
        {"reason": "lost"},
        "counter reissue",
        token_from=f"/issuer/certificates/{county_numbers[5]}",
    )
    walk.get(operator, "/issuer/import")
    refused = _results_file(tamper=True)
    walk.post(
        operator,
        "/issuer/import",
        {"file": (io.BytesIO(refused), "results.csv")},
        "import: refused rows",
        token_from="/issuer/import",
    )
    walk.post(
        operator,
        "/issuer/import",
        {"file": (io.BytesIO(_results_file(tamper=False)), "results.csv")},
        "import: nothing new",
        token_from="/issuer/import",
    )
    walk.post(
        operator,
        "/issuer/import",
        {"file": (io.BytesIO(b"\x00\x01garbage"), "results.xlsx")},
        "import: unreadable",
        token_from="/issuer/import",
    )
    walk.post(
        operator,
        "/issuer/import/confirm",
        {"token": "nothing-staged"},
        "import: confirm without upload",
        token_from="/issuer/import",
    )
    walk.get(operator, "/issuer/requests")
    walk.get(operator, "/issuer/requests?status=all")
    walk.get(operator, f"/issuer/requests/{holder.request_id}")
    walk.get(operator, "/issuer/ledger")
    walk.post(operator, "/issuer/ledger/audit", {}, "ledger audit", token_from="/issuer/ledger")
    walk.get(operator, "/issuer/registry/")
    walk.get(operator, "/issuer/integrity/")
    walk.get(operator, "/issuer/security")
    # the two-person rule: a proposal previewed, made, listed, approved, rejected, withdrawn, and a
    # reviewer trying to approve their own (refused); the province's signing keys; the action log
    change = {
        "action": "suspend",
        "reason": "investigation",
        "doc_no": "人社调〔2026〕3号",
        "effective": "2026-11-21",
    }
    page_of = f"/issuer/certificates/{county_numbers[6]}"
    suspend = f"{page_of}/proposal"
    walk.post(operator, suspend, change, "proposal: preview", token_from=page_of)
    made = walk.post(operator, suspend, {**change, "step": "propose"}, "proposal: made", token_from=page_of)
    proposal_id = int(re.findall(r"/issuer/approvals/(\d+)", made.what)[-1])
    walk.get(operator, "/issuer/approvals")
    approvals = f"/issuer/approvals/{proposal_id}"
    walk.post(reviewer, f"{approvals}/approve", {"confirm": "1"}, "proposal: approved", token_from=approvals)
    theirs = f"/issuer/approvals/{holder.proposal_id}"
    walk.post(reviewer, f"{theirs}/reject", {"reason": "不同意"}, "proposal: rejected", token_from=theirs)
    other_page = f"/issuer/certificates/{county_numbers[7]}"
    own = walk.post(
        reviewer,
        f"{other_page}/proposal",
        {**change, "step": "propose"},
        "proposal: a reviewer's own",
        token_from=other_page,
    )
    mine = "/issuer/approvals/" + re.findall(r"/issuer/approvals/(\d+)", own.what)[-1]
    walk.post(
        reviewer, f"{mine}/approve", {"confirm": "1"}, "proposal: self-approval refused", token_from=mine
    )
    walk.post(reviewer, f"{mine}/withdraw", {"confirm": "1"}, "proposal: withdrawn", token_from=mine)
    walk.get(operator, "/issuer/keys")
    provincial = walk.client(world.staff["operator-other"][0])
    walk.post(
        provincial,
        "/issuer/keys/proposal",
        {"action": "key-rotate"},
        "key rotation: preview",
        token_from="/issuer/keys",
    )
    auditor = walk.client(world.staff["auditor-own"][0])
    walk.get(auditor, "/issuer/audit")
    walk.get(auditor, "/issuer/audit?action=import")
    walk.post(
        reviewer,
        f"/issuer/integrity/{999_999}/end",
        {},
        "integrity: no such record (404)",
        token_from="/issuer/integrity/",
    )
    second = world.holders["holder-b"]
    walk.post(
        reviewer,
        f"/issuer/requests/{second.request_id}/decision",
        {"decision": "reject", "reason": "材料不全"},
        "request: rejected",
        token_from=f"/issuer/requests/{second.request_id}",
    )
    walk.get(walk.client(second.login), "/me/notifications", "portal: a rejection message")
    walk.get(visitor, f"/v/{_payload(world, county_numbers[6])}", "QR page, suspended")

    # --- employers and verification reports
    employer = walk.client(world.employers["employer-a"].login)
    walk.get(employer, "/employer/")
    walk.post(employer, "/employer/keys", {"name": "人事系统"}, "employer: key made", token_from="/employer/")
    key_id = world.employers["employer-a"].key_id
    walk.post(
        employer, f"/employer/keys/{key_id}/revoke", {}, "employer: key revoked", token_from="/employer/"
    )
    walk.get(employer, "/employer/bulk")
    walk.post(
        employer,
        "/employer/bulk",
        {"items": lines, "output": "page"},
        "employer: bulk check",
        token_from="/employer/bulk",
    )
    walk.get(employer, "/employer/security")
    walk.post(visitor, "/r", {"payload": payload}, "report of a QR verdict", token_from=f"/v/{payload}")
    walk.post(
        visitor, "/r", {"number": holder.number, "name": "张三丰"}, "report of no match", token_from="/"
    )
    walk.post(
        visitor,
        "/verify/bulk",
        {"items": lines, "output": "report"},
        "report of a bulk check",
        token_from="/verify/bulk",
    )
    walk.get(visitor, "/r/NO-SUCH-REPORT", "report unknown")

    # --- error pages the walk has not met yet
    walk.get(visitor, "/no-such-page", "404")
    walk.get(visitor, "/verify", "405")
    walk.post(
        walk.client(),
        "/verify",
        {"number": holder.number, "name": holder.name},
        "form without its CSRF token (400)",
    )
    _rate_limited(walk, f"/v/{payload}")


def _county_numbers(world: World) -> list[str]:
    with world.runtime.database.read() as session:
        return list(
            session.scalars(
                select(Certificate.number)
                .where(Certificate.authority_code == COUNTY)
                .order_by(Certificate.id)
                .limit(20)
            )
        )


def _holder_id(world: World, number: str) -> int:
    with world.runtime.database.read() as session:
        return int(session.scalars(select(Certificate.holder_id).where(Certificate.number == number)).one())


def _staff_with_totp(world: World) -> str:
    login = world.staff["auditor-other"][0]
    secret = totp.new_secret()
    with world.runtime.database.write() as session:
        user = session.scalars(select(User).where(User.login == login)).one()
        enable_totp(world.runtime, user, secret, totp.code_at(secret, world.runtime.now()))
    return login


def _results_file(*, tamper: bool) -> bytes:
    """The county's demo batch (already issued); tampered, its first row has more votes than members."""
    data = resources.files("certsvc.demo").joinpath(f"sample-{COUNTY}.csv").read_text(encoding="utf-8")
    if not tamper:
        return data.encode()
    header, first, *rest = data.splitlines()
    cells = first.split(",")
    cells[-1] = str(int(cells[-2]) + 5)
    return "\n".join([header, ",".join(cells), *rest]).encode()


def _rate_limited(walk: Walk, path: str) -> None:
    app: Flask = walk.world.app
    saved = app.config["CERTSVC_VERIFY_RATE"]
    app.config["CERTSVC_VERIFY_RATE"] = "1/minute"
    try:
        client = walk.client()
        client.get(path)
        page = walk.get(client, path, "429")
        assert page.status == 429
    finally:
        app.config["CERTSVC_VERIFY_RATE"] = saved


@pytest.fixture(scope="module")
def zh_walk(world: World) -> Iterator[Walk]:
    walk = Walk(world, ZH)
    walk_everything(world, walk)
    yield walk


def test_no_zh_cn_page_shows_an_english_word(zh_walk: Walk) -> None:
    """With Accept-Language: zh-CN, no page the walk renders (public, portal, console, sign-in,
    error pages) shows an English word outside the allowed technical tokens."""
    found = {
        f"{page.what} [{page.status}]": words for page in zh_walk.pages if (words := english_words(page.html))
    }
    assert len(zh_walk.pages) > 70
    assert found == {}, "\n".join(f"{what}: {words}" for what, words in found.items())


# Endpoints that answer no page of their own: files, and actions that only redirect to a page the
# walk shows anyway (their flash message included).
NOT_PAGES = {
    "holder.download": "a PDF/PNG/JWS file",
    "issuer.evidence": "the holder's evidence file",
    "auth.logout": "redirects to sign-in",
    "issuer.certificates_export": "an Excel workbook",
    "issuer.batches_export": "an Excel workbook",
    "issuer.import_report": "an Excel workbook",
    "issuer.template": "an Excel template of a route",
    "issuer_audit.action_log_export": "an Excel workbook",
    "reports.report_pdf": "the report's signed PDF",
}


def test_the_walk_covers_every_page(zh_walk: Walk) -> None:
    """Every endpoint of the page blueprints is walked: a page added without a place in the walk
    fails here (add it to walk_everything)."""
    pages = {
        rule.endpoint
        for rule in zh_walk.world.app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in HTML_BLUEPRINTS and rule.endpoint not in NOT_PAGES
    }
    assert pages - zh_walk.endpoints == set()


ERRORS = {
    "404": ("GET", "/no-such-page", "not-found"),
    "405": ("GET", "/verify", "method-not-allowed"),
    "csrf": ("POST", "/verify", "csrf"),
    "403": ("GET", "/issuer/", "forbidden"),
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_error_pages_speak_the_page_language(world: World, language: str) -> None:
    """404, 405, 403, an expired form, 429, a mistyped number and an unreadable upload answer in
    Chinese with zh-CN and in English with en (titles from the catalog), never the other language."""
    walk = Walk(world, ZH if language == "zh" else EN)
    holder = world.holders["holder-a"]
    visitor = walk.client()
    for status, (method, path, code) in ERRORS.items():
        client = walk.client(holder.login) if status == "403" else visitor
        page = walk.get(client, path, status) if method == "GET" else walk.post(client, path, {}, status)
        assert f'data-error="{code}"' in page.html, status
    _rate_limited(walk, f"/v/{_payload(world, holder.number)}")
    typo = holder.number[:-1] + ("A" if holder.number[-1] != "A" else "B")
    walk.post(visitor, "/verify", {"number": typo, "name": holder.name}, "check-digit typo", token_from="/")
    walk.post(
        visitor,
        "/verify/upload",
        {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\nbroken"), "photo.png")},
        "unreadable photo",
        token_from="/",
    )
    assert [page.status for page in walk.pages] == [404, 405, 400, 403, 429, 400, 422]
    for page in walk.pages:
        wrong = english_words(page.html) if language == "zh" else chinese_text(page.html)
        assert wrong == [], page.what
    titles = {
        page.what: re.search(r'<p class="error-title">([^<]+)</p>', page.html) for page in walk.pages[:5]
    }
    expected = {
        "zh": {"404": "未找到", "405": "不支持此请求方式", "csrf": "表单已过期", "403": "无权访问", "429": "请求过于频繁"},
        "en": {"404": "Not found", "405": "Method not allowed", "csrf": "Form expired", "403": "Forbidden", "429": "Too many requests"},
    }[language]  # fmt: skip
    assert {what: match.group(1) if match else None for what, match in titles.items()} == expected
