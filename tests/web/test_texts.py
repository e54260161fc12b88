"""One catalog of wording: the gettext catalog has English for every string the sources use,
nothing else, and the service reads it through Flask-Babel in and out of requests."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

from certsvc import errors
from certsvc.texts import LABELS, TRANSLATIONS_DIR, bilingual, in_language, label, translate

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
Key = tuple[str | None, str]  # (msgctxt, msgid)


@functools.cache
def used_strings() -> dict[Key, str]:
    """What ``pybabel extract -F babel.cfg`` finds in the sources (the same configuration
    ``scripts/i18n`` uses): (context, Chinese) -> the first file that uses it."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[Key, str] = {}
    for filename, _line, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), filename)
    return found


@functools.cache
def catalog() -> Catalog:
    with PO.open("rb") as po:
        return read_po(po)


def _translated(key: Key) -> bool:
    message = catalog().get(key[1], context=key[0])
    return message is not None and bool(message.string) and not message.fuzzy


def test_every_string_the_sources_use_has_english_in_the_catalog() -> None:
    """A t("…") in a template or view, or a label, without (reviewed) English in the catalog would
    show Chinese on English pages: run scripts/i18n and translate what it lists."""
    used = used_strings()
    assert len(used) > 450
    missing = sorted(
        f"{where}: [{context or ''}] {msgid}"
        for (context, msgid), where in used.items()
        if not _translated((context, msgid))
    )
    assert missing == []


def test_every_label_is_marked_for_the_catalog() -> None:
    """Every Chinese label in LABELS (written with N_ so that extraction finds it) has English in
    its kind's context: a plain string added to LABELS would be missed by extraction."""
    unmarked = [
        (kind, slug)
        for kind, slugs in LABELS.items()
        for slug, chinese in slugs.items()
        if (kind, chinese) not in used_strings() or not _translated((kind, chinese))
    ]
    assert unmarked == []


def test_the_catalog_holds_nothing_the_sources_do_not_use() -> None:
    """Entries nothing uses any more (and obsolete ones) are dropped by scripts/i18n update, so the
    catalog says exactly what the service can show."""
    stale = sorted(
        f"[{message.context or ''}] {message.id}"
        for message in catalog()
        if message.id and (message.context, message.id) not in used_strings()
    )
    assert stale == []
    assert not catalog().obsolete


def test_translations_keep_their_placeholders() -> None:
    """`%(n)s`-style placeholders survive translation (Babel's python-format check, and both sides
    name the same ones), or formatting would fail at run time."""
    assert [(message.id, problems) for message, problems in catalog().check()] == []
    for message in catalog():
        if message.id:
            names = sorted(re.findall(r"%\((\w+)\)s", message.id))
            assert names == sorted(re.findall(r"%\((\w+)\)s", message.string)), message.id
            assert ("python-format" in message.flags) == bool(names), message.id


def test_the_committed_mo_is_the_po_compiled() -> None:
    """The service reads messages.mo: it must be exactly messages.po compiled (scripts/i18n compile),
    or an English fix in the .po would not show."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog())
    assert MO.read_bytes() == compiled.getvalue(), "run scripts/i18n compile"


def test_a_context_gives_its_own_english_for_the_same_chinese() -> None:
    """A verdict headline is capitalised, a status label is not, and the action of suspending is a
    verb, while the Chinese side never changes."""
    assert (label("outcome", "suspended", "en"), label("status", "suspended", "en")) == (
        "Suspended",
        "suspended",
    )
    assert label("action", "suspend", "en") == "suspend"
    assert (
        label("outcome", "suspended", "zh")
        == label("status", "suspended", "zh")
        == label("action", "suspend", "zh")
        == "暂停"
    )
    assert translate("第 %(n)s 版", "en", n=2) == "version 2"
    assert translate("第 %(n)s 版", "zh", n=2) == "第 2 版"
    assert label("step", None, "en") == ""
    # Certificate values are labels keyed by their Chinese; an unknown one stays as printed.
    assert bilingual("level", "副高级") == ("副高级", "Deputy Senior")
    assert bilingual("title", "工程师") == ("工程师", "Engineer")
    assert bilingual("title", "一级教授") == ("一级教授", "一级教授")


def test_text_outside_a_request_and_in_another_language_comes_from_the_catalog(app: Flask) -> None:
    """The command line (no application) and an e-mail in one language sent from a page in the
    other read the same catalog through Flask-Babel's force_locale."""
    import flask_babel

    assert translate("证书编号", "en") == "Certificate number"
    with in_language("en"):
        assert flask_babel.gettext("证书编号") == "Certificate number"
    from certsvc.web.language import t

    with app.test_request_context("/?lang=en"):
        assert flask_babel.gettext("证书编号") == t("证书编号") == "Certificate number"
        with in_language("zh"):
            assert flask_babel.gettext("证书编号") == t("证书编号") == "证书编号"
        # The page's own language is back (t() remembers it per request).
        assert flask_babel.gettext("证书编号") == t("证书编号") == "Certificate number"


def test_no_text_is_looked_up_by_a_variable() -> None:
    """t(variable) cannot be extracted into the catalog (its English would silently be missing):
    text is t("literal"); values chosen at run time are labels (label(kind, slug))."""
    dynamic = re.compile(r"(?<![\w.])t\(\s*(?![\"'\s)]|$)")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("certsvc").rglob("*.py")]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if dynamic.search(line) and "def t(" not in line
    ]
    assert found == []


def test_labels_of_domain_values_name_exactly_the_domain_values() -> None:
    """Labels of values the domain defines (authority kinds, committee organisations, routes, the
    rules of a results file and their fixes, its columns) cover every value with the domain's own
    Chinese."""
    from certsvc.domain import registry, rules
    from certsvc.domain.levels import AuthorityKind, Level

    assert {kind.value: kind.label_zh for kind in AuthorityKind} == LABELS["authority_kind"]
    assert dict(registry.ORGANISATION_ZH) == LABELS["organisation"]
    assert set(registry.ROUTES) == set(LABELS["route"])
    assert {level.value for level in Level} == set(LABELS["level"])
    assert set(rules.RULES) | set(rules.WARNINGS) == set(LABELS["rule"]) == set(LABELS["rule_fix"])
    from certsvc.domain.record import FIELD_LABELS_ZH

    assert dict(FIELD_LABELS_ZH) == LABELS["column"]
    from certsvc.domain.routes import ACQUISITION_LABELS_ZH

    assert dict(ACQUISITION_LABELS_ZH) == LABELS["acquisition"]


def _error_classes() -> list[type[errors.CertsvcError]]:
    import importlib
    import pkgutil

    import certsvc

    for module in pkgutil.walk_packages(certsvc.__path__, "certsvc."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[errors.CertsvcError]] = []
    pending = [errors.CertsvcError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_error_has_a_page_title_in_each_language(language: str) -> None:
    """Each error code has a title for error pages; in English it is the API problem's title, so a
    page and the JSON API name an error the same way."""
    for error in _error_classes():
        title = label("error", error.code, language)
        assert error.code in LABELS["error"], error
        if language == "en":
            assert title == error.title, error
        else:
            assert re.search(r"[\u4e00-\u9fff]", title), error
