"""What every page shares about the site itself: the footer's operator, contact and ICP 备案 number
(from settings), and the favicon.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from flask import Blueprint, Response
from PIL import Image, ImageDraw

from certsvc.web import runtime

bp = Blueprint("site", __name__)

BRAND_RED = (163, 21, 21)


@bp.app_context_processor
def _site() -> dict[str, Any]:
    settings = runtime().settings
    return {
        "site": {
            "operator": settings.operator_name,
            "phone": settings.contact_phone,
            "email": settings.contact_email,
            "icp": settings.icp_number,
        }
    }


@bp.get("/favicon.ico")
def favicon() -> Response:
    response = Response(_favicon_ico(), mimetype="image/x-icon")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response


@functools.cache
def _favicon_ico() -> bytes:
    """The favicon.svg drawing (a red seal with a white tick) as a 16/32/48 px ICO, drawn once."""
    size = 192
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, size - 8, size - 8), radius=36, fill=BRAND_RED)
    draw.line([(50, 100), (84, 134), (146, 64)], fill="white", width=22, joint="curve")
    out = io.BytesIO()
    image.save(out, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()
