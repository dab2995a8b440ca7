"""Resolutions, certifications and diplomas as PDF: A4, Spanish, DejaVu fonts embedded as
subsets, selectable text, the verification code and a QR code to the verification page.

Speed matters (a cohort is ~150,000 diplomas), so this writes the PDF objects itself: each
font is subset once per process to the characters Spanish (and Latin-1/Latin Extended-A
names) need, and every document reuses those bytes. fpdf2 subsets the fonts again for every
document with fontTools, which measured 25-110 ms per PDF here against ~2 ms for this.

``render_pdf(kind, fields)`` takes a dict of fields (see ``REQUIRED_FIELDS``). With the demo
PKI as signer, every page says in large type that the document is not valid.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import math
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import segno
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ventanilla.documents import codes
from ventanilla.documents.pades import SignatureField, close, pdf_text

FONT_DIR = Path(__file__).resolve().parent / "fonts"
MM = 72 / 25.4
A4_PORTRAIT = (595.28, 841.89)
A4_LANDSCAPE = (841.89, 595.28)
KINDS = ("resolution", "certification", "diploma")
REQUIRED_FIELDS = ("title", "holder_name", "unit", "code")

# Spanish, Latin-1 and Latin Extended-A letters, and typographic punctuation.
CHARSET = frozenset(
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + list(range(0x2010, 0x2028))
    + [0x2039, 0x203A, 0x20AC, 0x2116]
)
FACES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
}

BLACK = (0, 0, 0)
GREY = (0.35, 0.35, 0.35)
RED = (0.75, 0.05, 0.05)
PALE_RED = (1, 0.86, 0.86)
WHITE = (1, 1, 1)


# --- Fonts: subset once per process ------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """One embedded font: its subset file and the tables a page needs to use it."""

    base_name: str
    codes: dict[str, str]  # character -> its glyph id as 4 hex digits (Identity-H)
    widths: dict[str, int]  # character -> advance, in thousandths of the font size
    widths_array: str
    font_file: bytes  # zlib-compressed TrueType subset
    font_file_length: int
    to_unicode: bytes  # zlib-compressed CMap
    descriptor: str

    def supported(self, text: str) -> str:
        """``text`` with characters the font lacks replaced by their base letter or '?'."""
        if self.codes.keys() >= set(text):
            return text
        return "".join(self._fallback(ch) for ch in text)

    def _fallback(self, ch: str) -> str:
        if ch in self.codes:
            return ch
        base = unicodedata.normalize("NFKD", ch)[:1]
        return base if base in self.codes else "?"

    def width(self, text: str, size: float) -> float:
        return sum(map(self.widths.__getitem__, self.supported(text))) * size / 1000

    def hex(self, text: str) -> str:
        return "".join(map(self.codes.__getitem__, text))


def _subset_tag(file_name: str) -> str:
    digest = hashlib.sha256(f"{file_name}:{sorted(CHARSET)}".encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _to_unicode_cmap(unicode_by_gid: dict[int, int]) -> bytes:
    entries = [f"<{gid:04X}> <{cp:04X}>" for gid, cp in sorted(unicode_by_gid.items())]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode("ascii")


@functools.cache
def face(name: str) -> Face:
    """The named face ("sans", "sans-bold", "serif", "serif-bold"), built on first use."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    file_name = FACES[name]
    font = TTFont(FONT_DIR / file_name, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright and licence
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern", "FFTM", "gasp"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(CHARSET & set(font.getBestCmap())))
    subsetter.subset(font)

    scale = 1000 / font["head"].unitsPerEm
    glyph_ids = {cp: font.getGlyphID(glyph) for cp, glyph in font.getBestCmap().items()}
    advances = [round(font["hmtx"][glyph][0] * scale) for glyph in font.getGlyphOrder()]
    unicode_by_gid: dict[int, int] = {}
    for cp, gid in sorted(glyph_ids.items(), reverse=True):
        unicode_by_gid[gid] = cp  # the lowest code point wins for shared glyphs
    raw = BytesIO()
    font.save(raw)
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    bbox = " ".join(str(round(v * scale)) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    descriptor = (
        f"/Flags 32 /FontBBox [{bbox}] /ItalicAngle {font['post'].italicAngle} "
        f"/Ascent {round(hhea.ascent * scale)} /Descent {round(hhea.descent * scale)} "
        f"/CapHeight {round(getattr(os2, 'sCapHeight', hhea.ascent) * scale)} /StemV 80"
    )
    return Face(
        base_name=f"{_subset_tag(file_name)}+{font['name'].getDebugName(6) or name}",
        codes={chr(cp): f"{gid:04X}" for cp, gid in glyph_ids.items()},
        widths={chr(cp): advances[gid] for cp, gid in glyph_ids.items()},
        widths_array="[0 [" + " ".join(map(str, advances)) + "]]",
        font_file=zlib.compress(raw.getvalue(), 9),
        font_file_length=len(raw.getvalue()),
        to_unicode=zlib.compress(_to_unicode_cmap(unicode_by_gid), 9),
        descriptor=descriptor,
    )


def warm_up() -> None:
    """Build every face now (a batch worker calls this once before its first document)."""
    for name in FACES:
        face(name)


# --- Pages ------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _color(rgb: tuple[float, float, float], stroke: bool = False) -> str:
    return " ".join(_num(c) for c in rgb) + (" RG" if stroke else " rg")


@dataclass
class Page:
    width: float
    height: float
    ops: list[str] = field(default_factory=list)
    faces: set[str] = field(default_factory=set)

    def text(self, x, y, text, face_name, size, color=BLACK, angle=0.0) -> None:
        font = face(face_name)
        text = font.supported(text)
        self.faces.add(face_name)
        if angle:
            cos, sin = math.cos(angle), math.sin(angle)
            matrix = f"{_num(cos)} {_num(sin)} {_num(-sin)} {_num(cos)} {_num(x)} {_num(y)}"
        else:
            matrix = f"1 0 0 1 {_num(x)} {_num(y)}"
        self.ops.append(
            f"BT {_color(color)} /{_font_resource(face_name)} {_num(size)} Tf "
            f"{matrix} Tm <{font.hex(text)}> Tj ET"
        )

    def justified(self, x, y, words: list[str], face_name, size, width) -> None:
        """One line stretched to ``width`` by widening the gaps between words."""
        font = face(face_name)
        words = [font.supported(word) for word in words]
        self.faces.add(face_name)
        natural = font.width(" ".join(words), size)
        gap = (width - natural) / max(len(words) - 1, 1)
        adjust = _num(-gap * 1000 / size)
        space = font.hex(" ")
        parts = [
            f"<{font.hex(word)}{space if i < len(words) - 1 else ''}>"
            for i, word in enumerate(words)
        ]
        self.ops.append(
            f"BT {_color(BLACK)} /{_font_resource(face_name)} {_num(size)} Tf "
            f"1 0 0 1 {_num(x)} {_num(y)} Tm [{f' {adjust} '.join(parts)}] TJ ET"
        )

    def rect(self, x, y, w, h, fill=None, stroke=None, line_width=1.0) -> None:
        paint = {(True, True): "B", (True, False): "f", (False, True): "S"}[
            (fill is not None, stroke is not None)
        ]
        colors = (_color(fill) + " " if fill else "") + (
            _color(stroke, stroke=True) + " " if stroke else ""
        )
        self.ops.append(
            f"q {colors}{_num(line_width)} w {_num(x)} {_num(y)} {_num(w)} {_num(h)} re {paint} Q"
        )

    def line(self, x1, y1, x2, y2, color=GREY, line_width=0.6) -> None:
        self.ops.append(
            f"q {_color(color, stroke=True)} {_num(line_width)} w "
            f"{_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S Q"
        )

    def qr(self, x, y, size, content: str) -> None:
        """A QR code as filled rectangles, one per run of dark modules: sharp at any zoom.
        The mask is fixed (any of the eight is valid): scoring all eight costs 3 ms."""
        matrix = segno.make_qr(content, error="m", mask=4).matrix
        count = len(matrix)
        module = size / count
        self.rect(x - 2 * module, y - 2 * module, size + 4 * module, size + 4 * module, WHITE)
        runs = []
        for row_index, row in enumerate(matrix):
            top = count - row_index - 1
            column = 0
            while column < count:
                if row[column]:
                    start = column
                    while column < count and row[column]:
                        column += 1
                    runs.append(f"{start} {top} {column - start} 1 re")
                else:
                    column += 1
        # In module units: every rectangle has whole-number coordinates.
        self.ops.append(
            f"q 0 g {_num(module)} 0 0 {_num(module)} {_num(x)} {_num(y)} cm "
            + " ".join(runs)
            + " f Q"
        )


def _font_resource(face_name: str) -> str:
    return "F" + str(list(FACES).index(face_name) + 1)


def wrap(text: str, face_name: str, size: float, width: float) -> list[list[str]]:
    """Words of ``text`` in lines no wider than ``width`` (a word too long is cut)."""
    font = face(face_name)
    space = font.width(" ", size)
    lines: list[list[str]] = []
    current: list[str] = []
    current_width = 0.0
    for word in font.supported(" ".join(text.split())).split(" "):
        while font.width(word, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.width(word[:cut], size) > width:
                cut -= 1
            lines, current, current_width = _push(lines, current, current_width, word[:cut])
            word = word[cut:]
        word_width = font.width(word, size)
        if current and current_width + space + word_width > width:
            lines.append(current)
            current, current_width = [], 0.0
        current_width += (space if current else 0) + word_width
        current.append(word)
    if current:
        lines.append(current)
    return lines


def _push(lines, current, current_width, piece):
    if current:
        lines.append(current)
    lines.append([piece])
    return lines, [], 0.0


# --- Layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    size: tuple[float, float]
    regular: str  # face of the body and the small print
    bold: str  # face of the title, the holder's name and the marks
    align: str  # "justify" or "center"
    body_size: float
    name_size: float
    title_size: float
    margin: float


STYLES = {
    "resolution": Style(A4_PORTRAIT, "sans", "sans-bold", "justify", 10.5, 12, 15, 22 * MM),
    "certification": Style(A4_PORTRAIT, "sans", "sans-bold", "justify", 10.5, 15, 16, 22 * MM),
    "diploma": Style(A4_LANDSCAPE, "serif", "serif-bold", "center", 12.5, 26, 32, 16 * MM),
}
FOOTER_HEIGHT = 12 * MM  # page number and code, every page
QR_SIZE = 26 * MM
VERIFICATION_HEIGHT = 34 * MM  # QR box, last page
DEMO_BANNER_HEIGHT = 9 * MM


class Flow:
    """Places lines top to bottom, starting a new page when one is full."""

    def __init__(self, style: Style, top_reserved: float):
        self.style = style
        self.top_reserved = top_reserved
        self.pages: list[Page] = []
        self.y = 0.0
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def left(self) -> float:
        return self.style.margin

    @property
    def width(self) -> float:
        return self.style.size[0] - 2 * self.style.margin

    def new_page(self) -> None:
        self.pages.append(Page(*self.style.size))
        self.y = self.style.size[1] - self.style.margin - self.top_reserved

    def room(self, height: float) -> None:
        if self.y - height < self.style.margin + FOOTER_HEIGHT:
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    def line(self, text: str, face_name: str, size: float, align="center", color=BLACK) -> None:
        self.room(size * 1.4)
        self.y -= size * 1.15
        font = face(face_name)
        text = font.supported(text)
        x = self.left
        if align == "center":
            x += (self.width - font.width(text, size)) / 2
        elif align == "right":
            x += self.width - font.width(text, size)
        self.page.text(x, self.y, text, face_name, size, color)
        self.y -= size * 0.35

    def paragraph(self, text: str, face_name: str, size: float, align: str) -> None:
        lines = wrap(text, face_name, size, self.width)
        for index, words in enumerate(lines):
            last = index == len(lines) - 1
            if align == "justify" and not last and len(words) > 1:
                self.room(size * 1.45)
                self.y -= size * 1.15
                self.page.justified(self.left, self.y, words, face_name, size, self.width)
                self.y -= size * 0.3
            else:
                self.line(" ".join(words), face_name, size, "left" if align == "justify" else align)
        self.space(size * 0.6)

    def ensure_bottom_band(self) -> float:
        """Where the verification band starts, on a new page if this one has no room."""
        bottom = self.style.margin + FOOTER_HEIGHT * 0.45
        if self.y - 4 * MM < bottom + VERIFICATION_HEIGHT:
            self.new_page()
        return bottom


def _date_text(fields: Mapping) -> str:
    if fields.get("place_date"):
        return str(fields["place_date"])
    value = fields.get("date") or datetime.date.today()
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # a JSON field keeps dates as ISO text
            value = datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.date):
        value = formats.date_format(value, "DATE_FORMAT")
    place = fields.get("place")
    return f"{place}, {value}" if place else str(value)


def _institution(fields: Mapping) -> str:
    return fields.get("institution") or settings.VENTANILLA.get("INSTITUTION_NAME", "")


def _signature_lines(fields: Mapping, style: Style, size: float) -> list[tuple]:
    lines = [(_("Firmado electrónicamente por"), style.regular, size * 0.85, GREY)]
    if fields.get("signer_name"):
        lines.append((fields["signer_name"], style.bold, size, BLACK))
    if fields.get("signer_role"):
        lines.append((fields["signer_role"], style.regular, size * 0.9, BLACK))
    return lines


def _lay_out_letter(flow: Flow, kind: str, fields: Mapping) -> None:
    """Resolutions and certifications: portrait, justified body."""
    style = flow.style
    flow.line(_institution(fields), style.bold, 12.5)
    flow.line(fields["unit"], style.regular, 10.5, color=GREY)
    flow.space(2)
    flow.page.line(flow.left, flow.y, flow.left + flow.width, flow.y)
    flow.space(8 * MM)
    flow.line(fields["title"].upper(), style.bold, style.title_size)
    if fields.get("reference"):
        flow.line(fields["reference"], style.regular, 10, color=GREY)
    flow.space(5 * MM)
    holder_align = "center" if kind == "certification" else "left"
    if kind == "certification":
        flow.line(_("Se certifica que"), style.regular, style.body_size)
        flow.space(2)
        flow.line(fields["holder_name"], style.bold, style.name_size)
    else:
        name_line = _("Interesado(a): %(name)s") % {"name": fields["holder_name"]}
        flow.line(name_line, style.bold, style.name_size, align="left")
    if fields.get("holder_id"):
        flow.line(fields["holder_id"], style.regular, 10, align=holder_align, color=GREY)
    flow.space(4 * MM)
    for text in fields.get("paragraphs", ()):
        flow.paragraph(text, style.regular, style.body_size, style.align)
    flow.space(2 * MM)
    flow.line(_date_text(fields), style.regular, style.body_size, align="right")
    flow.room(style.body_size * 6)
    flow.space(8 * MM)
    for text, face_name, size, color in _signature_lines(fields, style, style.body_size):
        flow.line(text, face_name, size, color=color)
    bottom = flow.ensure_bottom_band()
    _verification_box(flow.page, style, fields["code"], style.margin, bottom, flow.width)


def _lay_out_diploma(flow: Flow, kind: str, fields: Mapping) -> None:
    """Diplomas: landscape, framed, centred, the holder's name large; the QR code at the
    bottom left and the date and signature at the bottom right."""
    style = flow.style
    flow.line(_institution(fields), style.bold, 15)
    flow.line(fields["unit"], style.regular, 11.5, color=GREY)
    flow.space(4 * MM)
    flow.line(_("otorga el presente"), style.regular, style.body_size)
    flow.line(fields["title"].upper(), style.bold, style.title_size)
    flow.line(
        pgettext("diploma: otorga el presente DIPLOMA a NOMBRE", "a"),
        style.regular,
        style.body_size,
    )
    flow.line(fields["holder_name"], style.bold, style.name_size)
    if fields.get("holder_id"):
        flow.line(fields["holder_id"], style.regular, 10.5, color=GREY)
    flow.space(2 * MM)
    for text in fields.get("paragraphs", ()):
        flow.paragraph(text, style.regular, style.body_size, "center")
    bottom = flow.ensure_bottom_band()
    page, half = flow.page, flow.width / 2
    _verification_box(page, style, fields["code"], style.margin, bottom, half - 6 * MM)
    lines = [(_date_text(fields), style.regular, 11.5, BLACK), ("", style.regular, 6, BLACK)]
    lines += _signature_lines(fields, style, 11)
    y = bottom + QR_SIZE - 11.5
    center = style.margin + half * 1.5
    for text, face_name, size, color in lines:
        if not text:
            y -= size * 1.5
            continue
        font = face(face_name)
        page.text(center - font.width(text, size) / 2, y, text, face_name, size, color)
        y -= size * 1.5
    for page in flow.pages:
        _frame(page)


def _frame(page: Page) -> None:
    navy = (0.12, 0.2, 0.4)
    page.rect(
        7 * MM, 7 * MM, page.width - 14 * MM, page.height - 14 * MM, stroke=navy, line_width=2.2
    )
    page.rect(
        9 * MM, 9 * MM, page.width - 18 * MM, page.height - 18 * MM, stroke=navy, line_width=0.6
    )


# --- Marks on every page ----------------------------------------------------------------


def _demo_marks(page: Page, style: Style) -> None:
    """A red band at the top and a pale diagonal watermark behind the content, between the
    band and the verification box (so it never covers the QR code)."""
    text = _("DOCUMENTO DE DEMOSTRACIÓN — NO VÁLIDO PARA PRODUCCIÓN")
    font = face(style.bold)
    low = style.margin + VERIFICATION_HEIGHT
    high = page.height - DEMO_BANNER_HEIGHT
    angle = math.atan2(high - low, page.width)
    diagonal = math.hypot(page.width, high - low)
    size = diagonal * 0.85 / font.width(text, 1)
    start = (diagonal - font.width(text, size)) / 2
    x = start * math.cos(angle) + size * 0.35 * math.sin(angle)
    y = low + start * math.sin(angle) - size * 0.35 * math.cos(angle)
    marks = Page(page.width, page.height)
    marks.text(x, y, text, style.bold, size, PALE_RED, angle=angle)
    marks.rect(0, high, page.width, DEMO_BANNER_HEIGHT, fill=RED)
    banner_size = 10.5
    marks.text(
        (page.width - font.width(text, banner_size)) / 2,
        high + (DEMO_BANNER_HEIGHT - banner_size * 0.7) / 2,
        text,
        style.bold,
        banner_size,
        WHITE,
    )
    page.ops[:0] = marks.ops
    page.faces |= marks.faces


def _footer(page: Page, style: Style, number: int, total: int, code: str) -> None:
    text = _("Página %(page)s de %(pages)s · Código de verificación %(code)s") % {
        "page": number,
        "pages": total,
        "code": code,
    }
    font = face(style.regular)
    y = max(style.margin * 0.55, 11 * MM)
    page.text((page.width - font.width(text, 8)) / 2, y, text, style.regular, 8, GREY)


def _verification_box(page: Page, style: Style, code: str, x, bottom, width) -> None:
    """The QR code and, beside it, how to check the document, with or without the QR."""
    url = codes.verification_url(code)
    portal = url.rsplit(code, 1)[0]
    page.qr(x, bottom, QR_SIZE, url)
    text_x = x + QR_SIZE + 6 * MM
    text_width = x + width - text_x
    lines = [
        (_("Verifique este documento"), style.bold, 10),
        (_("Código de verificación: %(code)s") % {"code": code}, style.bold, 10),
        (url, style.regular, 8.5),
    ]
    help_text = _(
        "Escanee el código QR o escriba la dirección. También puede subir este PDF en "
        "%(portal)s: no necesita el código QR. Este documento lleva firma electrónica "
        "avanzada; cualquier cambio en el archivo invalida la firma."
    ) % {"portal": portal}
    for words in wrap(help_text, style.regular, 7.5, text_width):
        lines.append((" ".join(words), style.regular, 7.5))
    y = bottom + QR_SIZE - 9
    for text, face_name, size in lines:
        page.text(text_x, y, text, face_name, size, BLACK if face_name == style.bold else GREY)
        y -= size * 1.35


# --- The PDF file ---------------------------------------------------------------------------


class _Objects:
    """Numbered PDF objects and the file around them (header, xref table, trailer)."""

    def __init__(self):
        self.bodies: list[bytes | None] = []

    def reserve(self) -> int:
        self.bodies.append(None)
        return len(self.bodies)

    def put(self, number: int, body: bytes | str) -> int:
        self.bodies[number - 1] = body.encode("latin-1") if isinstance(body, str) else body
        return number

    def add(self, body: bytes | str) -> int:
        return self.put(self.reserve(), body)

    def stream(self, dictionary: str, data: bytes) -> int:
        return self.add(
            f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode("latin-1")
            + data
            + b"\nendstream"
        )

    def serialize(self, root: int, info: int, file_id: str) -> bytearray:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.bodies, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.bodies) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += (
            f"trailer\n<< /Size {len(self.bodies) + 1} /Root {root} 0 R /Info {info} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode("latin-1")
        return out


def _add_font(objects: _Objects, face_name: str) -> int:
    font = face(face_name)
    font_file = objects.stream(
        f"/Filter /FlateDecode /Length1 {font.font_file_length}", font.font_file
    )
    descriptor = objects.add(
        f"<< /Type /FontDescriptor /FontName /{font.base_name} {font.descriptor} "
        f"/FontFile2 {font_file} 0 R >>"
    )
    cid_font = objects.add(
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.base_name} "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /W {font.widths_array} /CIDToGIDMap /Identity >>"
    )
    to_unicode = objects.stream("/Filter /FlateDecode", font.to_unicode)
    return objects.add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.base_name} /Encoding /Identity-H "
        f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
    )


def _write_pdf(
    pages: list[Page],
    title: str,
    subject: str,
    author: str,
    code: str,
    signature: SignatureField | None = None,
) -> bytes:
    objects = _Objects()
    catalog, pages_ref = objects.reserve(), objects.reserve()
    if signature is not None:
        widget_ref = objects.reserve()
    used = sorted(set().union(*(page.faces for page in pages)), key=list(FACES).index)
    fonts = " ".join(f"/{_font_resource(name)} {_add_font(objects, name)} 0 R" for name in used)
    kids = []
    for page in pages:
        content = objects.stream(
            "/Filter /FlateDecode", zlib.compress("\n".join(page.ops).encode("latin-1"), 6)
        )
        annotations = f" /Annots [{widget_ref} 0 R]" if signature and not kids else ""
        kids.append(
            objects.add(
                f"<< /Type /Page /Parent {pages_ref} 0 R "
                f"/MediaBox [0 0 {_num(page.width)} {_num(page.height)}] "
                f"/Resources << /Font << {fonts} >> >> /Contents {content} 0 R{annotations} >>"
            )
        )
    objects.put(
        pages_ref,
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>",
    )
    now = datetime.datetime.now(datetime.UTC).strftime("D:%Y%m%d%H%M%SZ")
    info = objects.add(
        f"<< /Title {pdf_text(title)} /Subject {pdf_text(subject)} "
        f"/Author {pdf_text(author)} /Creator (Ventanilla) /Producer (Ventanilla) "
        f"/CreationDate ({now}) /ModDate ({now}) >>"
    )
    signing = ""
    if signature is not None:
        # The last object, so that its placeholders are the last bytes of that kind.
        signature_ref = objects.reserve()
        objects.put(widget_ref, signature.widget(signature_ref, kids[0]))
        signing = " " + signature.catalog_entries(signature_ref, widget_ref)
    objects.put(
        catalog,
        f"<< /Type /Catalog /Pages {pages_ref} 0 R /Lang ({settings.LANGUAGE_CODE}) "
        f"/ViewerPreferences << /DisplayDocTitle true >>{signing} >>",
    )
    if signature is not None:
        objects.put(signature_ref, signature.signature_dictionary())
    file_id = hashlib.md5(f"{code}:{now}:{title}".encode(), usedforsecurity=False).hexdigest()
    pdf = objects.serialize(catalog, info, file_id)
    if signature is not None:
        close(pdf)
    return bytes(pdf)


# --- Entry point ----------------------------------------------------------------------------


def _check_fields(kind: str, fields: Mapping) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown document kind {kind!r}; expected one of {KINDS}")
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise ValueError(f"Missing document fields: {', '.join(missing)}")
    if not isinstance(fields.get("paragraphs", []), list | tuple):
        raise ValueError("'paragraphs' must be a list of strings")


def render_pdf(
    kind: str,
    fields: Mapping,
    *,
    demo: bool | None = None,
    signature: SignatureField | None = None,
) -> bytes:
    """The unsigned PDF of a document; with ``signature``, it holds that empty certification
    signature, ready for ``pades.fill``.

    ``fields``: title, holder_name, unit (its name), code; optional paragraphs (a list),
    institution, reference, holder_id, place and date (a date or ISO text; or place_date),
    signer_name, signer_role.
    ``demo``: mark every page as a demonstration; by default, when the configured signer
    is the demo PKI's.
    """
    _check_fields(kind, fields)
    if demo is None:
        from ventanilla.documents.signing import signer_is_demo

        demo = signer_is_demo()
    style = STYLES[kind]
    with translation.override(settings.LANGUAGE_CODE):
        flow = Flow(style, top_reserved=DEMO_BANNER_HEIGHT if demo else 0)
        (_lay_out_diploma if kind == "diploma" else _lay_out_letter)(flow, kind, fields)
        for number, page in enumerate(flow.pages, start=1):
            _footer(page, style, number, len(flow.pages), fields["code"])
            if demo:
                _demo_marks(page, style)
        subject = {
            "resolution": _("Resolución"),
            "certification": _("Certificación"),
            "diploma": _("Diploma"),
        }[kind]
        return _write_pdf(
            flow.pages, fields["title"], subject, _institution(fields), fields["code"], signature
        )


def fields_for(document) -> dict:
    """The fields of a registered ``Document``: its columns, plus what ``document.data``
    holds (paragraphs, place, date, reference, holder_id, signer_name, signer_role)."""
    fields = dict(document.data or {})
    fields.update(
        title=document.title,
        holder_name=document.holder_name,
        unit=document.unit.name,
        code=document.code,
    )
    case = document.case if document.case_id else None
    if not fields.get("reference") and case is not None and case.tracking_number:
        fields["reference"] = f"Expediente {case.tracking_number}"
    if not fields.get("date") and not fields.get("place_date") and document.issued_at:
        fields["date"] = timezone.localdate(document.issued_at)
    return fields


def render(document, *, demo: bool | None = None, signature: SignatureField | None = None) -> bytes:
    """The unsigned PDF of a registered ``Document`` (see ``fields_for`` and ``render_pdf``)."""
    return render_pdf(document.kind, fields_for(document), demo=demo, signature=signature)
