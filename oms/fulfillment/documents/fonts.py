"""The Chinese font printed documents embed (a system package, not shipped with OMS)."""

from __future__ import annotations

import os
from functools import cache

from django.utils.translation import gettext_lazy as _

from oms.core.errors import ApplicationError

FONT_NAME = "OMS-CJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian: fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian: fonts-wqy-microhei
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian: fonts-noto-cjk (CFF: not usable)
)


class FontMissing(ApplicationError):
    code = "cjk_font_missing"
    http_status = 503
    default_message = _("Printing Chinese needs a CJK TrueType font on the server: install the Debian package "
                        "fonts-wqy-zenhei, or set OMS_CJK_FONT to a .ttf or .ttc file.")


def font_path() -> str | None:
    configured = os.environ.get("OMS_CJK_FONT")
    if configured:
        return configured if os.path.isfile(configured) else None
    return next((p for p in CANDIDATES[:2] if os.path.isfile(p)), None)


@cache
def _register(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(FONT_NAME, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(FONT_NAME, path)
    pdfmetrics.registerFont(font)  # embedded as a subset of the glyphs used
    return FONT_NAME


def cjk_font() -> str:
    """The registered font name to draw Chinese with; FontMissing (a clear error) when there is none."""
    path = font_path()
    if path is None:
        raise FontMissing(details={"looked_in": list(CANDIDATES[:2]), "setting": "OMS_CJK_FONT"})
    return _register(path)
