"""Checks on a file's content after its type is known (``sniff``). Pure Python (no Django).

- PDF: locked by a password (refused) and active content -- JavaScript, launch actions,
  embedded files -- (accepted and flagged, ADR 013), read with pypdf without rendering.
- HWP 5: the password bit of the ``FileHeader`` properties (refused).
- ZIP containers (HWPX, DOCX, XLSX, PPTX): the declared uncompressed size, compression ratio and
  member count from the central directory, never extracting (bombs refused).

``check(kind, fileobj, limits)`` returns a ``Verdict``: ``problem`` is a refusal (in the active
language, never stored) that says why and what to do, or ``""``; ``active`` lists the active content found in a PDF.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import olefile

from indicators.messages import _

# Labels of the active content a PDF may carry (shown to the institution and the evaluator).
# Stored with the file (EvidenceFile.active_content), so they stay Korean: not translated.
JAVASCRIPT = "JavaScript"
LAUNCH = "외부 프로그램 실행(Launch)"
EMBEDDED = "첨부 파일(Embedded file)"

HWP_PASSWORD_BIT = 0x02  # FileHeader properties, bit 1: "암호 설정"
PDF_MAX_OBJECTS = 200_000  # a walk past this many objects stops (and says so)
RATIO_FLOOR_BYTES = 1024 * 1024  # members smaller than this are not judged by their ratio


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed_bytes: int
    max_ratio: int
    max_members: int


@dataclass(frozen=True)
class Verdict:
    problem: str = ""
    active: tuple[str, ...] = ()


def check(kind: str, fileobj: BinaryIO, limits: ZipLimits) -> Verdict:
    """Leaves the position at 0."""
    try:
        if kind == "pdf":
            return _pdf(fileobj)
        if kind == "hwp":
            return _hwp(fileobj)
        if kind in ("hwpx", "docx", "xlsx", "pptx"):
            return Verdict(zip_problem(fileobj, limits))
        return Verdict()
    finally:
        fileobj.seek(0)


# --- PDF -----------------------------------------------------------------------------------


def _locked_pdf() -> str:
    return _(
        "암호로 잠긴 PDF입니다. 평가위원이 열 수 없으므로 받지 않습니다. "
        "암호를 해제한 뒤(‘암호 없이 저장’ 또는 인쇄 → PDF로 저장) 다시 올리십시오."
    )


def _unreadable_pdf() -> str:
    return _(
        "PDF 구조를 읽을 수 없습니다 (손상되었거나 표준이 아닌 PDF입니다). "
        "원본 프로그램에서 PDF로 다시 저장해 올리십시오."
    )


def _pdf(fileobj: BinaryIO) -> Verdict:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    fileobj.seek(0)
    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # only an owner password: anyone can open it
            except (DependencyError, NotImplementedError):
                return Verdict(_locked_pdf())
            if not opened:
                return Verdict(_locked_pdf())
        return Verdict(active=pdf_active_content(reader))
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return Verdict(_unreadable_pdf())


def _name(value) -> str:
    return str(value) if value is not None else ""


def pdf_active_content(reader) -> tuple[str, ...]:
    """Walk every object reachable from the trailer (dictionaries and arrays only; streams'
    data are not decoded) and name the kinds of active content found."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    steps = 0
    while stack:
        steps += 1
        if steps > PDF_MAX_OBJECTS:
            found.add("확인하지 못한 객체가 많음")
            break
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                node = node.get_object()
            except Exception:  # a dangling reference in a damaged file: nothing to inspect
                continue
        if isinstance(node, DictionaryObject):
            action = _name(node.get("/S"))
            if action == "/JavaScript" or "/JS" in node or "/JavaScript" in node:
                found.add(JAVASCRIPT)
            if action == "/Launch":
                found.add(LAUNCH)
            if (
                "/EmbeddedFiles" in node
                or _name(node.get("/Type")) == "/EmbeddedFile"
                or _name(node.get("/Subtype")) == "/FileAttachment"
                or ("/EF" in node and _name(node.get("/Type")) == "/Filespec")
            ):
                found.add(EMBEDDED)
            for key, value in node.items():
                if key != "/Parent":  # back-pointers only lead to what we have seen
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    order = (JAVASCRIPT, LAUNCH, EMBEDDED)
    return tuple(label for label in order if label in found) + tuple(sorted(found - set(order)))


# --- HWP -----------------------------------------------------------------------------------


def _locked_hwp() -> str:
    return _(
        "암호가 걸린 HWP 문서입니다. 평가위원이 열 수 없으므로 받지 않습니다. "
        "한글에서 ‘보안 → 문서 암호 변경/해제’로 암호를 해제해 저장한 뒤(또는 PDF로 저장해) "
        "다시 올리십시오."
    )


def _hwp(fileobj: BinaryIO) -> Verdict:
    fileobj.seek(0)
    ole = olefile.OleFileIO(fileobj)
    try:
        with ole.openstream("FileHeader") as stream:
            header = stream.read(40)
    finally:
        ole.close()
    properties = int.from_bytes(header[36:40], "little") if len(header) >= 40 else 0
    return Verdict(_locked_hwp() if properties & HWP_PASSWORD_BIT else "")


# --- ZIP containers ------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def zip_problem(fileobj: BinaryIO, limits: ZipLimits) -> str:
    """Judge the archive by its central directory alone (nothing is decompressed)."""
    fileobj.seek(0, 2)
    archive_size = max(fileobj.tell(), 1)
    fileobj.seek(0)
    with zipfile.ZipFile(fileobj) as archive:
        infos = archive.infolist()
    advice = _(
        "압축이 비정상적으로 큰 파일(압축 폭탄)일 수 있습니다. "
        "원본 프로그램에서 다시 저장하거나 PDF로 올리십시오."
    )
    if len(infos) > limits.max_members:
        return _("압축 안의 항목이 %(count)s개로 한도 %(limit)s개를 넘습니다. %(advice)s") % {
            "count": f"{len(infos):,}",
            "limit": f"{limits.max_members:,}",
            "advice": advice,
        }
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        return _("압축을 풀면 %(size)s로 한도 %(limit)s를 넘습니다. %(advice)s") % {
            "size": _mb(total),
            "limit": _mb(limits.max_uncompressed_bytes),
            "advice": advice,
        }
    worst = max(
        (
            info.file_size / max(info.compress_size, 1)
            for info in infos
            if info.file_size >= RATIO_FLOOR_BYTES
        ),
        default=0,
    )
    ratio = max(worst, total / archive_size if total >= RATIO_FLOOR_BYTES else 0)
    if ratio > limits.max_ratio:
        return _("압축률이 %(ratio)s:1로 한도 %(limit)s:1을 넘습니다. %(advice)s") % {
            "ratio": f"{ratio:,.0f}",
            "limit": f"{limits.max_ratio:,}",
            "advice": advice,
        }
    return ""
