from django.conf import settings

from .roles import Role


def site(request):
    """The site's and the organisation's names (settings), for the layout: never hard-coded.
    (``site_title``, not ``site_name``: Django's log-in view sets that to the request's host.)"""
    return {"site_title": settings.SITE_NAME, "organization_name": settings.ORGANIZATION_NAME}


def roles(request):
    """Expose the current user's roles to templates as ``roles`` (a set of Role values)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": frozenset(), "Role": Role}
    return {"roles": user.role_set(), "Role": Role}
