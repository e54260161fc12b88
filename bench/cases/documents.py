"""Document rendering, uncached and served from the render cache: signed PDF ≤ 80 ms, PNG at 300 dpi
≤ 150 ms, cached ≤ 3 ms (DESIGN §6). The PDF is sealed (PAdES B-B) with a seal certificate from a
throw-away key store, as ``certificates.services.pdf_sealer`` does."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from bench import Case, Row, timed_ms
from certsvc.documents import (
    CertificateDocument,
    CjkFont,
    PdfSealer,
    RenderKey,
    cached_render,
    find_cjk_font,
    render_pdf,
    render_png,
)

_DOCUMENT = CertificateDocument(
    holder_name="张晓明",
    sex="男",
    birth_date=date(1985, 3, 12),
    id_number="110105198503121234",
    employer="北京市朝阳区人民医院",
    series="卫生系列",
    specialty="心血管内科",
    title="主任医师",
    level="正高级",
    date_obtained=date(2024, 6, 30),
    committee_name="北京市卫生系列高级专业技术资格评审委员会",
    confirmation_number="京人社职字〔2024〕15号",
    certificate_number="BJ2024WS0001239",
    authority_name="北京市人力资源和社会保障局",
    issue_date=date(2024, 7, 15),
    version=2,
    reissue_date=date(2025, 3, 1),
    qr_url="https://certs.example.cn/v/" + "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZU" * 4,
    credential_jws="eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    seal_text="北京市人力资源和社会保障局",
)


Renderer = Callable[[CertificateDocument, CjkFont], bytes]


def _sealer(keys_dir: Path) -> PdfSealer:
    from certsvc.signing.keystore import FileKeyStore

    store = FileKeyStore(keys_dir, b"bench passphrase", unsafe_plaintext=False)
    now = dt.datetime.now(dt.UTC)
    store.ensure_initial_key(now)
    seal = store.seal_key("11110000000021135M", _DOCUMENT.authority_name, now)
    return PdfSealer(seal.private_key, seal.certificate, seal.ca_certificate)


def _signed_pdf(sealer: PdfSealer, document: CertificateDocument, font: CjkFont) -> bytes:
    return render_pdf(document, sealer, font)


def _fresh_documents(render: Renderer, font: CjkFont) -> Callable[[], bytes]:
    """Each call renders another certificate (name and QR URL differ), as a real miss would."""
    serials = itertools.count()

    def call() -> bytes:
        serial = next(serials)
        document = replace(
            _DOCUMENT,
            holder_name=f"张{'一二三四五六七八九'[serial % 9]}明",
            qr_url=f"{_DOCUMENT.qr_url}{serial:06d}",
        )
        return render(document, font)

    return call


def _from_cache(cache_dir: Path, key: RenderKey) -> Callable[[], bytes]:
    def call() -> bytes:
        return cached_render(cache_dir, key, _never_render)

    return call


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _never_render() -> bytes:
    raise AssertionError("expected a cache hit")


def run() -> list[Row]:
    font = find_cjk_font()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as directory:
        cache_dir = Path(directory) / "cache"
        sealer = _sealer(Path(directory) / "keys")
        renderers: list[tuple[str, Renderer]] = [
            ("png", render_png),
            ("pdf", functools.partial(_signed_pdf, sealer)),
        ]
        for name, render in renderers:
            document = render(_DOCUMENT, font)  # warms per-process caches: parsed font, seal image
            key = RenderKey(_DOCUMENT.certificate_number, _DOCUMENT.version, name)
            cached_render(cache_dir, key, _constant(document))
            rows += [
                {
                    "metric": "png render at 300 dpi, uncached"
                    if name == "png"
                    else "signed pdf render, uncached",
                    "value": timed_ms(_fresh_documents(render, font)),
                    "unit": "ms",
                },
                {
                    "metric": f"{name} render, cached",
                    "value": timed_ms(_from_cache(cache_dir, key), repeat=200),
                    "unit": "ms",
                },
                {"metric": f"{name} size", "value": len(document) / 1024, "unit": "KiB"},
            ]
    return rows


CASES = [Case("documents", run)]
