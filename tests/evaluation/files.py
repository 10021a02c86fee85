"""Real files of every accepted type, and the attack corpus, built in memory for tests.

Nothing binary is committed: each builder writes a small but structurally real file (a PDF
with xref and %%EOF, an OLE compound file with a ``FileHeader`` stream, ZIP containers with
the parts Office and Hancom use).
"""

from __future__ import annotations

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

# --- accepted types ------------------------------------------------------------------------


def pdf_bytes(text: str = "evidence", pad: int = 0) -> bytes:
    """A minimal valid one-page PDF showing ``text`` (ASCII), with a correct xref table."""
    safe = text.encode("ascii", "backslashreplace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if pad:
        out += b"%" + b"x" * pad + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _ole(stream_name: str, data: bytes) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding one stream."""
    sector = 512
    endofchain, freesect, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    data = data.ljust(4096, b"\0")  # ≥ the mini-stream cutoff: stored in regular sectors
    n_data = len(data) // sector + (1 if len(data) % sector else 0)
    data = data.ljust(n_data * sector, b"\0")
    # sector 0: FAT, sector 1: directory, sectors 2..: the stream
    fat = [fatsect, endofchain] + [3 + i for i in range(n_data - 1)] + [endofchain]
    fat += [freesect] * (sector // 4 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # number of FAT sectors
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<III", header, 60, endofchain, 0, endofchain)  # mini FAT
    struct.pack_into("<II", header, 68, endofchain, 0)  # DIFAT
    difat = [0] + [freesect] * 108
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name, kind, child, start, size):
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, nostream, nostream, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    directory = (
        entry("Root Entry", 5, 1, endofchain, 0)
        + entry(stream_name, 2, nostream, 2, len(data))
        + entry("", 0, nostream, 0, 0) * 2
    )
    return bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + directory + data


def hwp_bytes(text: str = "hwp") -> bytes:
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, 0)
    return _ole("FileHeader", header.ljust(256, b"\0") + text.encode())


def ole_doc_bytes() -> bytes:
    """An OLE file that is not HWP (as a legacy .doc is)."""
    return _ole("WordDocument", b"\xec\xa5" + b"legacy word" * 10)


def _zip(entries: dict[str, bytes], first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        names = sorted(entries, key=lambda n: n != first)
        for name in names:
            method = zipfile.ZIP_STORED if name == first else zipfile.ZIP_DEFLATED
            archive.writestr(name, entries[name], compress_type=method)
    return out.getvalue()


def hwpx_bytes(text: str = "hwpx") -> bytes:
    return _zip(
        {
            "mimetype": b"application/hwp+zip",
            "Contents/section0.xml": f"<hs:sec>{text}</hs:sec>".encode(),
            "META-INF/manifest.xml": b"<manifest/>",
        },
        first="mimetype",
    )


_CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx_bytes(text: str = "docx") -> bytes:
    return _zip({"[Content_Types].xml": _CT, "word/document.xml": f"<w>{text}</w>".encode()})


def xlsx_bytes(text: str = "xlsx") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx_bytes(text: str = "pptx") -> bytes:
    return _zip({"[Content_Types].xml": _CT, "ppt/presentation.xml": f"<p>{text}</p>".encode()})


def jpg_bytes(seed: int = 0) -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes([seed % 256]) * 64
        + b"\xff\xd9"
    )


def png_bytes(seed: int = 0) -> bytes:
    from operations.demo.files import png

    return png(seed)


ACCEPTED = {
    "pdf": ("보고서.pdf", pdf_bytes),
    "hwp": ("운영계획서.hwp", hwp_bytes),
    "hwpx": ("운영계획서.hwpx", hwpx_bytes),
    "docx": ("회의록.docx", docx_bytes),
    "xlsx": ("처리대장.xlsx", xlsx_bytes),
    "pptx": ("발표자료.pptx", pptx_bytes),
    "jpg": ("현장사진.jpg", lambda: jpg_bytes(1)),
    "png": ("현장사진.png", lambda: png_bytes(1)),
}

# --- attack corpus -------------------------------------------------------------------------


def pdf_with(catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF whose catalog carries ``catalog_extra`` (objects 4, 5, ... are
    ``extra_objects``)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# /OpenAction running JavaScript (app.alert), as in the issue.
JS_PDF = pdf_with(b"/OpenAction 4 0 R", (b"<< /S /JavaScript /JS (app.alert[1]) >>",))
# A document-level named script in the /Names tree.
NAMED_JS_PDF = pdf_with(
    b"/Names << /JavaScript << /Names [(init) 4 0 R] >> >>",
    (b"<< /S /JavaScript /JS (this.print[]) >>",),
)
# A page-open additional action that launches a program.
LAUNCH_PDF = pdf_with(b"/AA << /O 4 0 R >>", (b"<< /S /Launch /F (cmd.exe) /NewWindow true >>",))
# An embedded file (an attachment in the /Names tree).
EMBEDDED_PDF = pdf_with(
    b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
    (
        b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    ),
)


def encrypted_pdf_bytes(user_password: str = "secret", owner_password: str = "owner") -> bytes:
    """A real encrypted PDF (pypdf, AES-128). With ``user_password=""`` anyone can open it
    (only an owner password restricts printing and the like)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("locked"))))
    writer.encrypt(user_password, owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def locked_hwp_bytes() -> bytes:
    """HWP 5 whose FileHeader properties have bit 1 (암호 설정) set."""
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, 0x02)
    return _ole("FileHeader", header.ljust(256, b"\0") + b"locked")


def zip_bomb(kind: str, expanded: int, members: int = 1) -> bytes:
    """A real container of ``kind`` (docx, xlsx, pptx, hwpx) whose payload expands to
    ``expanded`` bytes of zeros (streamed: nothing that size is held in memory)."""
    prefix = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/", "hwpx": "Contents/"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if kind == "hwpx":
            archive.writestr("mimetype", b"application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        else:
            archive.writestr("[Content_Types].xml", _CT)
        chunk = b"\0" * (1024 * 1024)
        with archive.open(prefix + "document.xml", "w", force_zip64=True) as part:
            left = expanded
            while left > 0:
                part.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
        for number in range(members - 1):
            archive.writestr(f"{prefix}part{number}.xml", b"<p/>")
    return out.getvalue()


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" * 8
HTML_SCRIPT = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
PLAIN_ZIP = _zip({"readme.txt": b"not a document", "data/a.bin": b"\x00" * 100})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
