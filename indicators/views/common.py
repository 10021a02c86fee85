"""What the rubric views share: the refusals they answer with a message, and those messages."""

from django.shortcuts import get_object_or_404

from ..models import (
    FrozenRubricError,
    RubricVersion,
)
from ..queries import editable_rubric_versions
from ..services import RubricStateError
from ..validation import RubricInvalid

_REFUSALS = (RubricInvalid, RubricStateError, FrozenRubricError)


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, RubricInvalid):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def _form_errors(form, prefix: str = "") -> list[str]:
    lead = f"{prefix}: " if prefix else ""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            found.append(f"{lead}{label} — {error}" if label else f"{lead}{error}")
    return found


def _editable(request, pk: int) -> RubricVersion:
    return get_object_or_404(editable_rubric_versions(request.user), pk=pk)
