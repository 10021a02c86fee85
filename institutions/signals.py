def sync_roles_after_migrate(sender, **kwargs):
    """Keep the role groups and their permissions in step with the models after each migrate."""
    from .services import roles_sync

    roles_sync()
