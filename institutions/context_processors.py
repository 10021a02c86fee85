from django.conf import settings
from django.utils.translation import gettext

from .roles import Role


def site(request):
    """The site's and the organisation's names (settings), for the layout: never hard-coded.
    (``site_title``, not ``site_name``: Django's log-in view sets that to the request's host.)
    The default names are in the catalogue, so they follow the page's language; a name set in
    the environment has no msgid and is shown as written."""
    return {
        "site_title": gettext(settings.SITE_NAME),
        "organization_name": gettext(settings.ORGANIZATION_NAME),
    }


def roles(request):
    """Expose the current user's roles to templates as ``roles`` (a set of Role values)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": frozenset(), "Role": Role}
    return {"roles": user.role_set(), "Role": Role}
