"""Decide a file's type from its content, never from its name. Pure Python (no Django).

Only the first few KB, the last few KB and (for ZIP/OLE containers) the container's directory
are read, so a file of any size is sniffed in constant memory.

Accepted: PDF, HWP 5 (an OLE compound file with a ``FileHeader`` stream), HWPX (a ZIP whose
``mimetype`` entry is ``application/hwp+zip``), DOCX/XLSX/PPTX (ZIPs with
``[Content_Types].xml`` and ``word/``, ``xl/`` or ``ppt/`` parts), JPEG and PNG.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import olefile

from indicators.messages import _

HEAD_BYTES = 8192
PDF_TAIL_BYTES = 2048
MAX_ZIP_ENTRIES = 20_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
HWP_SIGNATURE = b"HWP Document File"
HWPX_MIMETYPE = b"application/hwp+zip"

# Extensions each kind may carry (lower case, without the dot).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "hwp": ("hwp",),
    "hwpx": ("hwpx",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
}

ACCEPTED_LABEL = "PDF, HWP, HWPX, DOCX, XLSX, PPTX, JPG, PNG"


@dataclass(frozen=True)
class Sniffed:
    """The result: ``kind`` (one of ``EXTENSIONS``) or ``None`` with a ``reason`` in the active
    language (shown, never stored)."""

    kind: str | None
    reason: str = ""


def sniff(fileobj: BinaryIO) -> Sniffed:
    """Sniff a seekable binary file. Leaves the position at 0."""
    try:
        fileobj.seek(0)
        head = fileobj.read(HEAD_BYTES)
        if not head:
            return Sniffed(None, _("빈 파일입니다 (0바이트)"))
        if head.startswith(b"%PDF-"):
            return _pdf(fileobj)
        if head.startswith(PNG_MAGIC):
            return Sniffed("png")
        if head.startswith(JPEG_MAGIC):
            return Sniffed("jpg")
        if head.startswith(OLE_MAGIC):
            return _ole(fileobj)
        if head.startswith(ZIP_MAGIC):
            return _zip(fileobj)
        return Sniffed(None, _describe_unknown(head))
    finally:
        fileobj.seek(0)


def _pdf(fileobj: BinaryIO) -> Sniffed:
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(max(0, size - PDF_TAIL_BYTES))
    if b"%%EOF" not in fileobj.read(PDF_TAIL_BYTES):
        return Sniffed(None, _("PDF의 끝 표시(%%EOF)가 없습니다. 파일이 잘렸거나 손상되었습니다"))
    return Sniffed("pdf")


def _ole(fileobj: BinaryIO) -> Sniffed:
    try:
        ole = olefile.OleFileIO(fileobj)
    except Exception:
        return Sniffed(None, _("손상된 OLE 복합 문서입니다"))
    try:
        if not ole.exists("FileHeader"):
            return Sniffed(
                None,
                _("HWP가 아닌 OLE 문서입니다 (예: 구형 DOC·XLS·PPT). HWP 또는 PDF로 저장하십시오"),
            )
        with ole.openstream("FileHeader") as stream:
            signature = stream.read(len(HWP_SIGNATURE))
        if signature != HWP_SIGNATURE:
            return Sniffed(None, _("HWP 파일 머리(FileHeader)의 서명이 올바르지 않습니다"))
        return Sniffed("hwp")
    except Exception:
        return Sniffed(None, _("손상된 OLE 복합 문서입니다"))
    finally:
        ole.close()


def _zip(fileobj: BinaryIO) -> Sniffed:
    try:
        archive = zipfile.ZipFile(fileobj)  # reads only the central directory
    except (zipfile.BadZipFile, OSError, ValueError):
        return Sniffed(None, _("손상된 ZIP 형식 파일입니다"))
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            return Sniffed(None, _("ZIP 안의 항목이 너무 많습니다"))
        names = {info.filename for info in infos}
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 100:
                try:
                    mimetype = archive.read(info).strip()
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
                    return Sniffed(None, _("손상된 ZIP 형식 파일입니다"))
                if mimetype == HWPX_MIMETYPE:
                    return Sniffed("hwpx")
        if "[Content_Types].xml" in names:
            parts = {
                kind
                for kind, prefix in (("docx", "word/"), ("xlsx", "xl/"), ("pptx", "ppt/"))
                if any(name.startswith(prefix) for name in names)
            }
            if len(parts) == 1:
                return Sniffed(parts.pop())
            return Sniffed(
                None, _("Office 문서 구성(word/, xl/, ppt/)을 알 수 없는 ZIP 파일입니다")
            )
        return Sniffed(None, _("HWPX나 Office 문서가 아닌 일반 ZIP 압축 파일입니다"))


def _describe_unknown(head: bytes) -> str:
    lowered = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"MZ"):
        return _("실행 파일(EXE/DLL)입니다")
    if head.startswith(b"\x7fELF"):
        return _("실행 파일(ELF)입니다")
    if b"<svg" in lowered:
        return _("SVG 그림입니다 (스크립트를 담을 수 있어 받지 않습니다)")
    if lowered.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body")) or (
        b"<script" in lowered
    ):
        return _("HTML 문서입니다")
    if lowered.startswith(b"<?xml"):
        return _("XML 문서입니다")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("GIF 그림입니다")
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return _("압축 파일(RAR/7z/gzip)입니다")
    return _("알 수 없는 형식입니다")


def extension_of(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def extension_matches(kind: str, name: str) -> bool:
    return extension_of(name) in EXTENSIONS[kind]
