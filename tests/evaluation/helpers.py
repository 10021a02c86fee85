"""Helpers for evaluation tests: raw multipart bodies, stored-file inspection."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import quote

from django.urls import reverse

from evaluation.models import EvidenceFile

DATA_MARK = re.compile(r'<span translate="no">(.*?)</span>', re.S)


def without_data_marks(html: str) -> str:
    """``html`` without the ``translate="no"`` spans that mark user and rubric data inside
    interface text (docs/decisions/020-languages.md): the words a person reads, in one run."""
    return DATA_MARK.sub(r"\1", html)


def multipart(files: list[tuple[str, bytes]], fields: dict | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with file names exactly as given (the test client would
    sanitise them). Names with NUL or quotes travel as RFC 2231 ``filename*``."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in (fields or {}).items():
        out += f"--{boundary}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += str(value).encode() + b"\r\n"
    for filename, content in files:
        out += f"--{boundary}\r\n".encode()
        if filename.isprintable() and '"' not in filename and "\\" not in filename:
            # As browsers send it: the UTF-8 name in quotes.
            disposition = f'filename="{filename}"'
        else:
            disposition = f"filename*=UTF-8''{quote(filename, safe='')}"
        out += f'Content-Disposition: form-data; name="files"; {disposition}\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n"
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def upload_url(application, code: str = "A.1.1") -> str:
    return reverse("evaluation:upload", args=[application.pk, code])


def post_files(client, application, files, code="A.1.1", fields=None, json=False):
    body, content_type = multipart(files, fields)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        upload_url(application, code), data=body, content_type=content_type, headers=headers
    )


def stored_files(media_root: Path) -> list[Path]:
    if not Path(media_root).exists():
        return []
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


def nothing_stored(media_root: Path, upload_tmp: Path | None = None) -> bool:
    leftovers = stored_files(media_root)
    if upload_tmp is not None:
        leftovers += [p for p in Path(upload_tmp).rglob("*") if p.is_file()]
    return not leftovers and not EvidenceFile.objects.exists()
