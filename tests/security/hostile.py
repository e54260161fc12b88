"""Hostile request parts for the every-route property test (issue 16, finding 3).

Each builder is cheap and deterministic, so a failing example replays exactly.
"""

from __future__ import annotations

import base64
import functools
import io
import struct
import zipfile
import zlib

DEPTH = 100_000


def deep_json(depth: int = DEPTH) -> str:
    """An array nested ``depth`` deep: Python's json module recurses once per level."""
    return "[" * depth + "]" * depth


def deep_object(depth: int = DEPTH) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws_with(header: str, claims: str) -> str:
    """A compact JWS whose header and claims are the given JSON texts (signature is junk)."""
    return f"{_b64url(header.encode())}.{_b64url(claims.encode())}.{_b64url(b'x' * 64)}"


def deep_jws() -> str:
    return jws_with('{"alg":"EdDSA","kid":' + deep_json(20_000) + "}", deep_object(20_000))


def surrogate_jws() -> str:
    return jws_with('{"alg":"EdDSA","kid":"\\ud800"}', '{"vc":"\\udfff\\u0000"}')


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, *, extra_chunks: bytes = b"", bit_depth: int = 1) -> bytes:
    """A valid greyscale PNG of ``width``×``height`` all-black pixels (IDAT compresses to almost nothing)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra_chunks
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def pixel_bomb() -> bytes:
    """8000×8000 pixels in about 8 KB: decoding it costs hundreds of MB and most of a second."""
    return png(8000, 8000)


def text_bomb(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A small PNG whose compressed text chunks (zTXt, iTXt) inflate to ``inflated`` bytes each."""
    payload = zlib.compress(b"A" * inflated, 9)
    ztxt = _chunk(b"zTXt", b"certsvc-credential\x00\x00" + payload)
    itxt = _chunk(b"iTXt", b"Comment\x00\x01\x00\x00\x00" + payload)
    return png(8, 8, extra_chunks=ztxt + itxt)


def degenerate_pdf(kind: str) -> bytes:
    """Small PDFs that used to break readers: zero/huge images, broken attachments, loops."""
    image_dict = {
        "zero": b"/Width 0 /Height 0 /BitsPerComponent 8 /ColorSpace /DeviceGray",
        "huge": b"/Width 100000 /Height 100000 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /FlateDecode",
        "negative": b"/Width -5 /Height 3 /BitsPerComponent 8 /ColorSpace /DeviceRGB",
        "badcs": b"/Width 4 /Height 4 /BitsPerComponent 3 /ColorSpace /Nonsense",
    }
    names = b" /Names << /EmbeddedFiles 6 0 R >>" if kind in ("attachment", "loop") else b""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R" + names + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Resources << /XObject << /Im0 4 0 R >> >> "
        b"/Contents 5 0 R >>",
    ]
    pixels = zlib.compress(b"\x00" * 1000) if kind == "huge" else b"\x00" * 16
    image = image_dict.get(kind, image_dict["zero"])
    objects.append(
        b"<< /Type /XObject /Subtype /Image "
        + image
        + b" /Length %d >>\nstream\n" % len(pixels)
        + pixels
        + b"\nendstream"
    )
    objects.append(b"<< /Length 10 >>\nstream\nq /Im0 Do Q\nendstream")
    if kind == "attachment":
        objects.append(b"<< /Names [(credential.jws) 7 0 R (x) 99 0 R] >>")
        objects.append(b"<< /Type /Filespec /F (credential.jws) /EF << /F 8 0 R >> >>")
        objects.append(
            b"<< /Type /EmbeddedFile /Length 999999 /Filter /FlateDecode >>\nstream\n\x00\x01garbage\nendstream"
        )
    elif kind == "loop":
        objects.append(b"<< /Kids [6 0 R] /Names [(credential.jws) 6 0 R] >>")
    else:
        objects.append(b"<< /Names [(credential.jws) 7 0 R] >>")
        objects.append(b"<< /Type /Filespec /F (credential.jws) /EF << /F 99 0 R >> >>")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@functools.cache
def xlsx_bomb() -> bytes:
    """An .xlsx-looking zip whose one sheet unpacks to 80 MiB of blanks (a list's limit is 64 MiB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b" " * (1 << 20)
            for _ in range(80):
                sheet.write(block)
    return out.getvalue()


HOSTILE_FILES = {
    "pixel-bomb.png": pixel_bomb,
    "text-bomb.png": text_bomb,
    "zero-image.pdf": lambda: degenerate_pdf("zero"),
    "huge-image.pdf": lambda: degenerate_pdf("huge"),
    "negative-image.pdf": lambda: degenerate_pdf("negative"),
    "bad-colourspace.pdf": lambda: degenerate_pdf("badcs"),
    "bad-attachment.pdf": lambda: degenerate_pdf("attachment"),
    "loop.pdf": lambda: degenerate_pdf("loop"),
    "nul.csv": lambda: b"name,id_number\r\n\x00\x00,\x00\r\n",
    "surrogate.json": lambda: b'[{"name":"\\ud800","id_number":"\\udfff"}]',
    "deep.json": lambda: deep_json(50_000).encode(),
    "truncated.png": lambda: pixel_bomb()[:60],
    "junk.bin": lambda: bytes(range(256)) * 4,
    "bomb.xlsx": xlsx_bomb,
    "broken.xlsx": lambda: b"PK\x03\x04" + bytes(range(256)) * 8,
}

# Strings that reach text fields: lone surrogates, NUL, controls, bidi, long, formula-like.
HOSTILE_TEXTS = (
    "\ud800",
    "a\udfffb",
    "\x00",
    "张\x00三",
    "\x07\x1b[31m",
    "\u202e\u2066",
    '=HYPERLINK("http://x")',
    "x" * 70_000,
    "％００",
    "../../etc/passwd",
    "' OR 1=1 --",
    "\ufeff\ufffe\uffff",
    "",
    " ",
)

FIELD_NAMES = (
    "account",
    "password",
    "code",
    "name",
    "certificate_number",
    "number",
    "confirm",
    "qr",
    "credential",
    "q",
    "query",
    "reason",
    "field",
    "value",
    "note",
    "doc_no",
    "document_number",
    "effective",
    "action",
    "token",
    "status",
    "decision",
    "id_number",
    "email",
    "current",
    "confirmation",
    "targets",
    "text",
    "lines",
    "next",
    "lang",
    "corrected_field",
    "corrected_value",
    "decision_reason",
    "items",
    "file",
    "category",
)

QUERY_PARAMETERS = (
    ("_method", "PATCH"),
    ("_external", "1"),
    ("_scheme", "javascript"),
    ("_anchor", "x"),
    ("lang", "\x00"),
    ("lang", "en"),
    ("status", "all"),
    ("status", "\ud800"),
    ("next", "//evil.example/"),
    ("dry_run", "true"),
    ("filename", "../../x\x00.csv"),
    ("first", "-1"),
    ("second", "99999999999999999999999"),
    ("index", "1e308"),
    ("size", "0"),
    ("tree_size", "-5"),
    ("activated", "1"),
)

HEADERS = (
    ("Host", "evil.example"),
    ("X-Forwarded-Host", "evil.example"),
    ("Accept", "application/json"),
    ("Accept-Language", "xx-\x00;q=abc, *;q=2"),
    ("X-Request-Id", "\x00" * 40),
    ("Content-Type", "application/json; charset=utf-16"),
    ("Authorization", "Bearer cst_\xff\x00"),
    ("Authorization", "Bearer " + "A" * 5000),
    ("Cookie", "session=\x00; lang=\xfe"),
    ("Range", "bytes=0-0,-1"),
)
