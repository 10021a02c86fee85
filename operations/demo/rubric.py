"""The seed rubric for ``manage.py seed_demo``."""

from pathlib import Path

import indicators
from indicators import interchange
from indicators.models import RubricVersion
from indicators.services import rubric_import

# shipped with the indicators app, which also offers it for import
SEED_RUBRIC = (
    Path(indicators.__file__).resolve().parent / "rubrics" / "job-information-provider.yaml"
)


def seed() -> RubricVersion:
    """Load the shipped seed rubric as a published version (idempotent: an existing
    code + version is returned as it is)."""
    data = interchange.parse_text(SEED_RUBRIC.read_bytes())
    existing = (
        RubricVersion.objects.select_related("rubric")
        .filter(rubric__code=data["code"], version=data["version"])
        .first()
    )
    if existing is not None:
        return existing
    return rubric_import(data=data, publish=True)
