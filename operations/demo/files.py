"""Evidence files the demo seeder makes itself: small real PDF, PNG, XLSX and DOCX files with
Korean text. They go through the same upload service as a user's files, so they are sniffed,
checked, hashed and stored under random keys like any other.

Rendering a PDF with WeasyPrint is the slow part of seeding: one PDF per item is rendered once
per process and shared by every application (duplicates are refused only within one
application).
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib
from html import escape
from xml.sax.saxutils import escape as xml_escape

from django.core.files.base import ContentFile

_font_config = None


def pdf(title: str, lines: list[str]) -> bytes:
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        '<html lang="ko"><head><style>@page { size: A4; margin: 2cm } '
        'body { font-family: "NanumGothic", "Noto Sans CJK KR", sans-serif; font-size: 11pt } '
        "h1 { font-size: 16pt }</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf(font_config=_font_config)


def png(seed: int) -> bytes:
    """A small real PNG (a 320×200 colour gradient), different for each seed."""
    width, height = 320, 200
    row = bytearray(width * 3)
    row[0::3] = bytes((x * 255 // width + seed) % 256 for x in range(width))
    row[2::3] = b"\xa0" * width
    rows = bytearray()
    for y in range(height):
        row[1::3] = bytes([y * 255 // height]) * width
        rows += b"\x00" + row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def xlsx(institution: str, item_code: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "처리대장"
    sheet.append(["접수일", "구분", "내용", "처리 결과"])
    for day in range(1, 6):
        sheet.append([f"2025-0{day}-1{day}", "고객불만", f"{institution} 민원 {day}", "처리 완료"])
    sheet.append([f"{item_code} 증빙 ({institution})"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A minimal WordprocessingML package (ECMA-376): content types, the package relationship and
# one document part. Word, LibreOffice and python-docx open it. Written here because
# python-docx is not a dependency and one small document does not justify one.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def docx(title: str, lines: list[str]) -> bytes:
    """A small real DOCX: a bold title and one paragraph per line (Korean text)."""

    def paragraph(text: str, bold: bool = False) -> str:
        props = "<w:rPr><w:b/><w:sz w:val='32'/></w:rPr>" if bold else ""
        return f'<w:p><w:r>{props}<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>'

    body = paragraph(title, bold=True) + "".join(paragraph(line) for line in lines)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


_item_pdfs: dict[tuple, bytes] = {}


def item_pdf(item) -> bytes:
    """One rendered PDF per item, shared by the institutions. Cached by what the PDF shows,
    not by the item's primary key: a key can name another item once a database is emptied and
    seeded again in the same process (the tests do), and two items' files would then match."""
    purpose = tuple((item.purpose or [])[:2])
    key = (item.code, item.title, purpose)
    if key not in _item_pdfs:
        _item_pdfs[key] = pdf(
            f"{item.code} {item.title}",
            [
                f"평가항목: {item.code} {item.title}",
                "이 문서는 데모용으로 자동 생성한 증빙 자료입니다.",
                *(f"· {line}" for line in purpose),
            ],
        )
    return _item_pdfs[key]


def evidence_files(institution, item, position: int, *, docx_every: int = 0) -> list[ContentFile]:
    """The files an institution attaches to ``item`` (the ``position``-th in rubric order):
    the item's PDF; an XLSX on the 3rd item, a PNG on the 5th; a DOCX every ``docx_every``
    items when asked."""
    name = institution.name
    files = [ContentFile(item_pdf(item), name=f"{item.code}_{item.title}_{name}.pdf")]
    if position == 2:
        files.append(ContentFile(xlsx(name, item.code), name=f"{item.code}_처리대장.xlsx"))
    if position == 4:
        files.append(
            ContentFile(png(institution.pk * 7 + position), name=f"{item.code}_현장사진.png")
        )
    if docx_every and position % docx_every == 1:
        content = docx(
            f"{item.code} {item.title} 운영 보고서",
            [
                f"기관: {name}",
                f"평가항목: {item.code} {item.title}",
                "추진 내용: 계획 수립, 실행, 점검, 개선의 순서로 운영하였습니다.",
                "이 문서는 데모용으로 자동 생성한 증빙 자료입니다.",
            ],
        )
        files.append(ContentFile(content, name=f"{item.code}_운영보고서.docx"))
    return files
