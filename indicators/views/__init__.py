"""Rubric pages: ``versions`` (the list, the read-only version page, import/export, the lifecycle
buttons), ``editor`` (the draft editor's tree and nodes) and ``item`` (an item's page and its
checkpoints). Views are thin: they fetch through ``queries`` (outsiders get 404), parse with a
form, call a service and render."""

from .editor import (
    area_substitution,
    editor,
    editor_settings,
    node_add,
    node_move,
    node_remove,
    node_update,
)
from .item import checkpoint_add, checkpoint_move, checkpoint_remove, checkpoint_update, item_edit
from .versions import (
    version_clone,
    version_delete,
    version_detail,
    version_export,
    version_import,
    version_list,
    version_publish,
    version_retire,
)

__all__ = [
    "area_substitution",
    "checkpoint_add",
    "checkpoint_move",
    "checkpoint_remove",
    "checkpoint_update",
    "editor",
    "editor_settings",
    "item_edit",
    "node_add",
    "node_move",
    "node_remove",
    "node_update",
    "version_clone",
    "version_delete",
    "version_detail",
    "version_export",
    "version_import",
    "version_list",
    "version_publish",
    "version_retire",
]
