"""Streaming evidence uploads.

``install_upload_handler(request)`` replaces the request's upload handlers (before anything
reads ``request.POST``/``FILES``) with ``EvidenceUploadHandler``: every file part goes straight
to a temporary file on disk whatever its size, its SHA-256 and size are computed chunk by chunk
while it streams in, and bytes past the per-file limit are counted but not written. The name the
browser sent is kept as ``raw_name`` (Django's parser strips ``../``, NUL and the like before
a handler sees the name; we want to refuse such names, not silently rename them).
"""

from __future__ import annotations

import hashlib
import types
import weakref

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.EVIDENCE_MAX_FILE_BYTES
        self.pending_raw_name: str | None = None
        self.opened: list[weakref.ref] = []  # weak: never keeps a dropped file on disk

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.opened.append(weakref.ref(self.file))
        self._sha256 = hashlib.sha256()
        self._received = 0
        self._raw_name = self.pending_raw_name
        self.pending_raw_name = None

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received <= self.limit:
            self._sha256.update(raw_data)
            self.file.write(raw_data)
        # Past the limit the bytes are dropped: the service refuses the file by its size.
        return None

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.size = self._received
        uploaded.exceeds_limit = self._received > self.limit
        uploaded.sha256 = None if uploaded.exceeds_limit else self._sha256.hexdigest()
        uploaded.raw_name = self._raw_name
        return uploaded

    def discard(self) -> None:
        """Delete the temporary files of a request whose body could not be parsed: Django
        drops them without closing them, so they stayed on disk for as long as anything held
        the request (a log record of the 400, for one)."""
        for ref in self.opened:
            if (file := ref()) is not None:
                file.close()  # a NamedTemporaryFile: closing it deletes it
        self.opened = []


class _RawNameParser(MultiPartParser):
    """Hands each part's file name, as sent, to the evidence handler before sanitising it."""

    def sanitize_file_name(self, file_name):
        sanitized = super().sanitize_file_name(file_name)
        for handler in self._upload_handlers:
            if isinstance(handler, EvidenceUploadHandler):
                # A part whose name sanitises to nothing is skipped by the parser.
                handler.pending_raw_name = file_name if sanitized else None
        return sanitized


def _parse_file_upload(request, META, post_data):
    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    return _RawNameParser(META, post_data, request.upload_handlers, request.encoding).parse()


def install_upload_handler(request) -> None:
    """Call before the request body is read (the view must be csrf_exempt on the outside and
    csrf_protect inside, as Django's documentation shows for custom upload handlers)."""
    request.upload_handlers = [EvidenceUploadHandler(request)]
    request.parse_file_upload = types.MethodType(_parse_file_upload, request)


def discard_uploads(request) -> None:
    """After a parse error: no temporary file of this request is left behind."""
    for handler in request.upload_handlers:
        if isinstance(handler, EvidenceUploadHandler):
            handler.discard()


def display_name(upload: UploadedFile) -> str:
    """The name as the user sent it, if a handler kept it; else Django's (sanitised) name."""
    raw = getattr(upload, "raw_name", None)
    return raw if raw is not None else (upload.name or "")
