from django.urls import path, register_converter

from . import views
from .kinds import KINDS


class NodeKindConverter:
    """The editable levels of the tree in the editor's URLs (``kinds.KINDS``)."""

    regex = "|".join(KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(NodeKindConverter, "node")

app_name = "indicators"

urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("import/", views.version_import, name="version_import"),
    path("<int:pk>/", views.version_detail, name="version_detail"),
    path("<int:pk>/export/", views.version_export, name="version_export"),
    path("<int:pk>/clone/", views.version_clone, name="version_clone"),
    path("<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("<int:pk>/retire/", views.version_retire, name="version_retire"),
    path("<int:pk>/delete/", views.version_delete, name="version_delete"),
    # The draft editor (admins, drafts only; everyone else gets 404).
    path("<int:pk>/edit/", views.editor, name="editor"),
    path("<int:pk>/edit/settings/", views.editor_settings, name="editor_settings"),
    path("<int:pk>/edit/areas/add/", views.node_add, {"kind": "area"}, name="area_add"),
    path(
        "<int:pk>/edit/areas/<int:node_pk>/indicators/add/",
        views.node_add,
        {"kind": "indicator"},
        name="indicator_add",
    ),
    path(
        "<int:pk>/edit/areas/<int:node_pk>/substitution/",
        views.area_substitution,
        name="area_substitution",
    ),
    path(
        "<int:pk>/edit/indicators/<int:node_pk>/items/add/",
        views.node_add,
        {"kind": "item"},
        name="item_add",
    ),
    path("<int:pk>/edit/<node:kind>/<int:node_pk>/update/", views.node_update, name="node_update"),
    path("<int:pk>/edit/<node:kind>/<int:node_pk>/remove/", views.node_remove, name="node_remove"),
    path(
        "<int:pk>/edit/<node:kind>/<int:node_pk>/move/<str:direction>/",
        views.node_move,
        name="node_move",
    ),
    path("<int:pk>/edit/items/<int:node_pk>/", views.item_edit, name="item_edit"),
    path(
        "<int:pk>/edit/items/<int:node_pk>/checkpoints/add/",
        views.checkpoint_add,
        name="checkpoint_add",
    ),
    path(
        "<int:pk>/edit/checkpoints/<int:checkpoint_pk>/update/",
        views.checkpoint_update,
        name="checkpoint_update",
    ),
    path(
        "<int:pk>/edit/checkpoints/<int:checkpoint_pk>/remove/",
        views.checkpoint_remove,
        name="checkpoint_remove",
    ),
    path(
        "<int:pk>/edit/checkpoints/<int:checkpoint_pk>/move/<str:direction>/",
        views.checkpoint_move,
        name="checkpoint_move",
    ),
]
