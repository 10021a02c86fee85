"""The JSON that ``backup`` dumps: Django's, with two differences that make a restore exact.

- Datetimes keep their microseconds. Django's encoder cuts them to milliseconds (as ECMA-262
  dates), so a restored system had every timestamp moved: audit rows, 확정 times, results.
- Every row keeps its primary key, except the rows ``migrate`` builds itself (roles are groups),
  which are matched by natural key. With ``natural_primary`` alone users were restored under new
  keys whenever the old ones had gaps -- and a sheet's 확정 hash covers its evaluator's key, so
  ``verify_results`` then found every confirmed sheet changed.

The archive is still plain Django JSON; ``loaddata`` reads it (and older archives) with the
standard deserializer. Registered by ``operations.backup`` under ``FORMAT``.
"""

import datetime

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "certeval-json"
REBUILT_BY_MIGRATE = {"auth.group", "auth.permission", "contenttypes.contenttype"}


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder

    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if "pk" not in data and obj._meta.label_lower not in REBUILT_BY_MIGRATE:
            data["pk"] = self._value_from_field(obj, obj._meta.pk)
        return data


Deserializer = json.Deserializer
