"""Who may still see the object a notice is about, checked again at delivery.

Apps register one callable per model in their ``AppConfig.ready()``::

    from notifications import policy
    policy.register(Application, lambda user, app: visible_applications(user).filter(pk=app.pk).exists())

A notice whose object the recipient may no longer see (or that no longer exists) is not sent;
its row is marked "열람 권한 없음". Objects of models with no hook are visible to the recipient.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

Hook = Callable[[object, models.Model], bool]

_HOOKS: dict[type[models.Model], Hook] = {}


def register(model_class: type[models.Model], hook: Hook) -> None:
    _HOOKS[model_class] = hook


def can_see(user, obj) -> bool:
    if not user.is_active:
        return False
    if obj is None:
        return True
    hook = _HOOKS.get(type(obj)) or _HOOKS.get(obj._meta.concrete_model)
    return True if hook is None else bool(hook(user, obj))
