"""Writes to rubrics: ``lifecycle`` (import, export, publication, cloning, retirement, deletion)
and ``editor`` (the draft editor: settings, the tree's nodes, checkpoints).

Every function is keyword-only and atomic. A refused write raises and leaves the database as it
was:

- ``RubricInvalid`` (from ``validation``) carries the full list of problems, each naming a code
  or key path and the numbers;
- ``RubricStateError`` says that the version is not in a state that allows the change;
- the model layer's ``FrozenRubricError`` is the last line for published/retired versions.

Import from this package: ``from indicators.services import rubric_import``.
"""

from .editor import (
    area_substitution_update,
    checkpoint_add,
    checkpoint_move,
    checkpoint_remove,
    checkpoint_update,
    item_update,
    node_add,
    node_move,
    node_remove,
    node_update,
    rubric_version_update,
)
from .lifecycle import (
    RubricStateError,
    rubric_export,
    rubric_import,
    rubric_version_clone,
    rubric_version_delete,
    rubric_version_publish,
    rubric_version_retire,
)

__all__ = [
    "RubricStateError",
    "area_substitution_update",
    "checkpoint_add",
    "checkpoint_move",
    "checkpoint_remove",
    "checkpoint_update",
    "item_update",
    "node_add",
    "node_move",
    "node_remove",
    "node_update",
    "rubric_export",
    "rubric_import",
    "rubric_version_clone",
    "rubric_version_delete",
    "rubric_version_publish",
    "rubric_version_retire",
    "rubric_version_update",
]
