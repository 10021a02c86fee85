from django.utils.functional import SimpleLazyObject

from . import queries


def unread(request):
    """``notifications_unread``: the bell's count, one query, and only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": SimpleLazyObject(lambda: queries.unread_count(user))}
