"""Reading and writing rubric documents as text (YAML, or the same structure as JSON).

Pure Python and PyYAML; no Django. Numbers never pass through float: YAML floats and JSON
numbers with a fraction are read as ``Decimal``, and ``Decimal`` is written back as a plain YAML
number (``60``, ``0.8``, ``-0.5``). Korean text is written as is (``allow_unicode``).

The loader is PyYAML's safe loader with three refusals added, so a malformed file is refused
rather than half-read: duplicate keys, aliases (``*name``: they could make the validator walk
an exponentially large tree), and more than one document in a file. Dates stay strings.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from .messages import _
from .validation import FORMAT, ROOT, Problem, RubricInvalid, fmt


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None, None, _("별칭(alias, *이름)은 쓸 수 없습니다"), event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise ConstructorError(
                        None,
                        None,
                        _("'%(key)s' 키가 두 번 나옵니다") % {"key": key},
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader, node):
    text = loader.construct_scalar(node).replace("_", "")
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return Decimal("Infinity")
    if lowered == "-.inf":
        return Decimal("-Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ConstructorError(
            None, None, _("숫자로 읽을 수 없습니다: %(text)s") % {"text": text}, node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class _DuplicateKey(ValueError):
    pass


def _json_object(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse(message: str) -> RubricInvalid:
    return RubricInvalid([Problem(_(ROOT), message)])


def parse_text(text: str | bytes) -> object:
    """The parsed document (usually a dict), or ``RubricInvalid`` when the text is not YAML/JSON.

    What it returns is not validated yet: pass it to ``validation.validate``.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(
                _("UTF-8 텍스트 파일이 아닙니다 (%(byte)s번째 바이트를 읽을 수 없습니다)")
                % {"byte": exc.start + 1}
            ) from None
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith("{"):
        try:
            return json.loads(
                text,
                parse_float=Decimal,
                parse_constant=Decimal,
                object_pairs_hook=_json_object,
            )
        except _DuplicateKey as exc:
            raise _refuse(_("JSON 문서에 '%(key)s' 키가 두 번 나옵니다") % {"key": exc}) from None
        except json.JSONDecodeError:
            pass  # YAML is a superset of most JSON; its error message names line and column
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            _("%(line)s행 %(column)s열") % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else _("위치 모름")
        )
        problem = ", ".join(filter(None, [exc.context, exc.problem])) or _("알 수 없는 오류")
        raise _refuse(
            _("YAML(또는 JSON) 문서로 읽을 수 없습니다 (%(where)s: %(problem)s)")
            % {"where": where, "problem": problem}
        ) from None
    except yaml.YAMLError as exc:
        raise _refuse(
            _("YAML(또는 JSON) 문서로 읽을 수 없습니다 (%(problem)s)") % {"problem": exc}
        ) from None
    if data is None:
        raise _refuse(_("문서가 비어 있습니다"))
    return data


# --- writing ---------------------------------------------------------------------------------


class _Flow(dict):
    """A mapping written on one line: ``{code: S, title: 탁월, ratio: 1}``."""


class _FlowList(list):
    """A list written on one line: ``[ISMS, ISMS-P]``."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True  # never write anchors: the loader refuses aliases


def _represent_decimal(dumper, value: Decimal):
    text = fmt(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _styled_scoring(scoring: dict) -> dict:
    if "bands" not in scoring:
        return _Flow(scoring)
    styled = dict(scoring)
    styled["bands"] = [_Flow(band) for band in scoring["bands"]]
    return styled


def _styled(document: dict) -> dict:
    """A copy of ``document`` with the small mappings marked for one-line writing."""
    doc = dict(document)
    if "rounding" in doc:
        doc["rounding"] = _Flow(doc["rounding"])
    if "grade_scales" in doc:
        doc["grade_scales"] = {
            name: {**scale, "levels": [_Flow(level) for level in scale["levels"]]}
            for name, scale in doc["grade_scales"].items()
        }
    if "defaults" in doc and "scoring" in doc["defaults"]:
        doc["defaults"] = {
            **doc["defaults"],
            "scoring": _styled_scoring(doc["defaults"]["scoring"]),
        }
    areas = []
    for area in doc.get("areas", []):
        area = dict(area)
        if "substitution" in area:
            sub = dict(area["substitution"])
            sub["certificates"] = _FlowList(sub["certificates"])
            area["substitution"] = sub
        indicators = []
        for indicator in area.get("indicators", []):
            indicator = dict(indicator)
            items = []
            for item in indicator.get("items", []):
                item = dict(item)
                if "scoring" in item:
                    item["scoring"] = _styled_scoring(item["scoring"])
                items.append(item)
            indicator["items"] = items
            indicators.append(indicator)
        area["indicators"] = indicators
        areas.append(area)
    if "areas" in doc:
        doc["areas"] = areas
    return doc


def dump_text(document: dict) -> str:
    """``document`` as YAML text in the interchange format."""
    body = yaml.dump(
        _styled(document),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
        indent=2,
    )
    return f"# {FORMAT}\n{body}"
