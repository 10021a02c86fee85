"""Content sniffing: pure Python, constant memory, by content never by name."""

import ast
import io
from pathlib import Path

import pytest

from evaluation import sniff as sniff_module
from evaluation.sniff import HEAD_BYTES, extension_matches, sniff

from . import files as F


@pytest.mark.parametrize("kind", sorted(F.ACCEPTED))
def test_each_accepted_type_is_recognised_by_content(kind):
    _name, build = F.ACCEPTED[kind]
    assert sniff(io.BytesIO(build())).kind == kind


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (F.EXE_BYTES, "실행 파일(EXE/DLL)입니다"),
        (F.HTML_SCRIPT, "HTML 문서입니다"),
        (F.SVG_BYTES, "SVG 그림입니다 (스크립트를 담을 수 있어 받지 않습니다)"),
        (F.PLAIN_ZIP, "HWPX나 Office 문서가 아닌 일반 ZIP 압축 파일입니다"),
        (
            F.ole_doc_bytes(),
            "HWP가 아닌 OLE 문서입니다 (예: 구형 DOC·XLS·PPT). HWP 또는 PDF로 저장하십시오",
        ),
        (b"", "빈 파일입니다 (0바이트)"),
        (b"GIF89a" + b"\0" * 20, "GIF 그림입니다"),
        (b"hello, plain text", "알 수 없는 형식입니다"),
    ],
)
def test_refused_content_gets_a_korean_reason(content, reason):
    result = sniff(io.BytesIO(content))
    assert (result.kind, result.reason) == (None, reason)


def test_zip_with_a_wrong_hwpx_mimetype_is_not_hwpx():
    content = F._zip({"mimetype": b"application/zip", "a.xml": b"<a/>"}, first="mimetype")
    assert sniff(io.BytesIO(content)).kind is None


def test_office_zip_with_two_kinds_of_parts_is_refused():
    content = F._zip({"[Content_Types].xml": F._CT, "word/a.xml": b"x", "xl/b.xml": b"y"})
    assert sniff(io.BytesIO(content)).kind is None


def test_exe_with_a_zip_appended_is_not_accepted():
    """Self-extracting archives start with MZ: the ZIP must start at byte 0."""
    assert sniff(io.BytesIO(F.EXE_BYTES + F.docx_bytes())).kind is None


def test_pdf_magic_not_at_the_start_is_refused():
    assert sniff(io.BytesIO(b"<html>" + F.pdf_bytes())).kind is None


def test_corrupt_ole_is_refused():
    content = F.hwp_bytes()[:600]
    assert sniff(io.BytesIO(content)).kind is None


def test_position_is_reset_after_sniffing():
    handle = io.BytesIO(F.pdf_bytes())
    handle.seek(10)
    sniff(handle)
    assert handle.tell() == 0


class CountingReader(io.RawIOBase):
    """A seekable file that counts the bytes read from it."""

    def __init__(self, inner):
        self.inner = inner
        self.bytes_read = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        return self.inner.seek(offset, whence)

    def tell(self):
        return self.inner.tell()

    def read(self, size=-1):
        data = self.inner.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize("kind", ["pdf", "docx", "hwp"])
def test_sniffing_a_large_file_reads_only_its_head_tail_and_directory(tmp_path, kind):
    big = tmp_path / "big.bin"
    if kind == "pdf":
        body = F.pdf_bytes()
        with big.open("wb") as out:
            out.write(body[:20])
            out.write(b"%" + b"x" * (30 * 1024 * 1024) + b"\n")
            out.write(body[20:])
    elif kind == "docx":
        import zipfile

        with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("[Content_Types].xml", F._CT)
            archive.writestr("word/document.xml", b"<w/>")
            archive.writestr("word/media/big.bin", b"\0" * (30 * 1024 * 1024))
    else:
        big.write_bytes(F.hwp_bytes())
    with big.open("rb") as handle:
        reader = CountingReader(handle)
        assert sniff(reader).kind == kind
    assert reader.bytes_read < 4 * HEAD_BYTES


def test_extension_matching():
    assert extension_matches("jpg", "사진.JPEG")
    assert extension_matches("jpg", "사진.jpg")
    assert not extension_matches("pdf", "보고서.pdf.exe")
    assert not extension_matches("hwp", "문서")


def test_sniff_module_imports_nothing_from_django():
    tree = ast.parse(Path(sniff_module.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert "django" not in imported
    assert "evaluation" not in imported
