"""The one place that talks to the file storage (Django's storage API: local disk or S3)."""

from __future__ import annotations

import logging
import uuid

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

log = logging.getLogger(__name__)


def new_storage_key() -> str:
    """A random key: nothing of the user's file name (or its extension) reaches the storage."""
    token = uuid.uuid4().hex
    return f"evidence/{token[:2]}/{token}"


def storage_save(content: File) -> str:
    """Store ``content`` under a new random key; returns the key the storage used."""
    content.seek(0)
    return default_storage.save(new_storage_key(), content)


def storage_delete(keys) -> None:
    for key in keys:
        try:
            default_storage.delete(key)
        except Exception:  # the row is what matters; a leftover object is logged, not fatal
            log.exception("could not delete stored evidence %s", key)


def storage_delete_on_commit(keys) -> None:
    """Delete stored objects only once the transaction that dropped them has committed, so a
    rollback never loses a file."""
    keys = list(keys)
    if keys:
        transaction.on_commit(lambda: storage_delete(keys))
