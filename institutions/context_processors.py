from .roles import Role


def roles(request):
    """Expose the current user's roles to templates as ``roles`` (a set of Role values)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": frozenset(), "Role": Role}
    return {"roles": user.role_set(), "Role": Role}
