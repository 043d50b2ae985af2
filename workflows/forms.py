"""Load user-task forms (JSON Schema 2020-12) and validate submissions against them.

The engine only carries a form's file name; the service validates every submission with
``FormBundle.validate`` before anything reaches the engine, and answers with the field errors it returns.

Forms are self-contained. A ``$ref`` may point into its own form (``#/...``) or into another form of the
same bundle by file name (``other.json#/$defs/x``); references are resolved from a registry holding only
the bundle's forms, which cannot retrieve anything (jsonschema's default reads files and fetches URLs).
Patterns run on RE2, which matches in linear time, so no pattern can backtrack catastrophically.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import re2
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from workflows.json_bounds import TooDeepError, loads_bounded

_FORMAT_CHECKER = FormatChecker()
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is the designer's to read, not the server log's
# What a $ref may name besides its own form: a plain file name resolves the same from every form.
_FORM_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.json$")
_REF_KEYWORDS = ("$ref", "$dynamicRef")


# A form array listing rows the service provides, one input each (the exam scores of a campaign's eligible
# applicants): ``"x-rows": {"source": <row source>, "key": <item field>, "input": <item field>}``, optionally
# with ``"absent": true`` or ``"note": <item field>`` (a second, free-text input: the reason for a change).
ROWS_KEY = "x-rows"


def row_source(node: Mapping[str, Any]) -> str | None:
    """The row source an array field declares (``x-rows``), None for an ordinary field."""
    declared = node.get(ROWS_KEY)
    return str(declared["source"]) if isinstance(declared, dict) and declared.get("source") else None


def row_table_problems(name: str, schema: Mapping[str, Any], known_sources: set[str]) -> list[str]:
    """What is wrong with the row tables form ``name`` declares: a source the service does not provide, or
    a key or input that is not a field of the array's items (the page could not post it back)."""
    problems = []
    for field, node in schema.get("properties", {}).items():
        if not isinstance(node, dict) or ROWS_KEY not in node:
            continue
        declared, items = node[ROWS_KEY], node.get("items", {}).get("properties", {})
        source = row_source(node)
        if source not in known_sources:
            known = ", ".join(sorted(known_sources))
            problems.append(
                f"{name}/{field}: {ROWS_KEY} 的行来源 {source!r} 不存在（可用：{known}）"
                f" / {ROWS_KEY} names unknown row source {source!r} (known: {known})"
            )
        noted = ("note",) if isinstance(declared, dict) and "note" in declared else ()
        for part in ("key", "input", *noted):
            if not isinstance(declared, dict) or declared.get(part) not in items:
                problems.append(
                    f"{name}/{field}: {ROWS_KEY} 的 {part} 必须是数组元素的字段"
                    f" / {ROWS_KEY} {part} must name a field of the array's items"
                )
    return problems


class FormError(Exception):
    """A form file that is not a usable JSON Schema."""


@dataclass(frozen=True)
class FieldError:
    """One reason a submission was refused, located by a JSON pointer-like dotted path."""

    field: str
    message: str
    message_en: str
    # What was refused (the JSON Schema keyword, "required" for a missing field) and the field's title.
    keyword: str = ""
    title: str = ""
    title_en: str = ""


def load_form_schema(name: str, text: str) -> dict[str, Any]:
    """Parse and check a form file (whether its references and patterns are allowed: ``FormBundle``)."""
    try:
        schema = loads_bounded(text)
    except TooDeepError as error:
        raise FormError(f"{name}: {error}") from error
    except json.JSONDecodeError as error:
        raise FormError(f"{name} is not valid JSON: {error}") from error
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise FormError(f"{name} must be a JSON Schema of type object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise FormError(f"{name} is not a valid JSON Schema: {error.message}") from error
    return schema


# -- patterns on RE2 --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _RE2_OPTIONS)


def _matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text``; text that is not valid Unicode matches nothing."""
    try:
        return _compiled(pattern).search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" is valid JSON): RE2 reads UTF-8 only
        return False


def _re2_refusal(pattern: Any) -> str | None:
    """Why RE2 cannot run ``pattern``, or None when it can."""
    if not isinstance(pattern, str):
        return "it is not a string"
    try:
        _compiled(pattern)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return None


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    # jsonschema's own version matches patternProperties' keys with Python's backtracking engine.
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        key for key in instance if key not in properties and not any(_matches(p, key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            regexes = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {regexes}")
        else:
            unexpected = ", ".join(repr(each) for each in sorted(extras, key=str))
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({unexpected} {verb} unexpected)")


_FormValidator = validators.extend(
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    },
)


# -- the forms of a bundle --------------------------------------------------------------------------------


def _patterns_of(node: dict[str, Any]) -> list[Any]:
    found = [node["pattern"]] if "pattern" in node else []
    pattern_properties = node.get("patternProperties")
    if isinstance(pattern_properties, dict):
        found.extend(pattern_properties)
    return found


def _ref_target(name: str, ref: str, forms: Mapping[str, Any]) -> str | None:
    """The form a reference points into, or None when it leaves the bundle."""
    if ref.startswith("#"):
        return name
    target = ref.split("#", 1)[0]
    return target if target in forms and _FORM_NAME.match(target) else None


class _BundleCheck:
    """Walk every subschema a form can reach (following its references) and note what is not allowed."""

    def __init__(self, forms: Mapping[str, dict[str, Any]], registry: Registry[Any]) -> None:
        self.forms, self.registry = forms, registry
        self.problems: dict[str, list[str]] = {name: [] for name in forms}
        self.references: dict[str, set[str]] = {name: set() for name in forms}
        self.unevaluated: set[str] = set()
        self.pattern_properties = False
        seen: set[int] = set()
        pending = [(name, DRAFT202012.create_resource(schema)) for name, schema in sorted(forms.items())]
        while pending:
            name, resource = pending.pop(0)
            if isinstance(resource.contents, dict) and id(resource.contents) not in seen:
                seen.add(id(resource.contents))
                pending.extend(self._node(name, resource.contents))
                pending.extend((name, sub) for sub in resource.subresources())
        if self.pattern_properties:
            for name in sorted(self.unevaluated):
                self.problems[name].append(
                    f"{name}: 包中表单使用了 patternProperties，不能再用 unevaluatedProperties"
                    " / unevaluatedProperties cannot be used while the bundle's forms use "
                    "patternProperties (jsonschema would match those patterns with a backtracking engine)"
                )

    def _node(self, name: str, node: dict[str, Any]) -> list[tuple[str, Resource[Any]]]:
        found = self.problems[name]
        if "$id" in node:
            found.append(
                f"{name}: 不允许 $id {node['$id']!r}：表单以文件名标识"
                f" / $id {node['$id']!r} is not allowed: a form is known by its file name"
            )
        for pattern in _patterns_of(node):
            reason = _re2_refusal(pattern)
            if reason is not None:
                found.append(
                    f"{name}: 不允许正则 {pattern!r}（{reason}）：表单的正则由 RE2 执行，不支持反向引用和环视"
                    f" / pattern {pattern!r} is not allowed ({reason}): form patterns run on RE2, "
                    "without backreferences, lookaround or other features that need backtracking"
                )
        self.pattern_properties |= "patternProperties" in node
        if "unevaluatedProperties" in node:
            self.unevaluated.add(name)
        reached = []
        for keyword in _REF_KEYWORDS:
            if keyword in node:
                reached.extend(self._reference(name, keyword, node[keyword]))
        return reached

    def _reference(self, name: str, keyword: str, ref: Any) -> list[tuple[str, Resource[Any]]]:
        target = _ref_target(name, ref, self.forms) if isinstance(ref, str) else None
        if target is None:
            self.problems[name].append(
                f"{name}: {keyword} {ref!r} 指向流程定义包之外；表单只能引用自身（'#/$defs/x'）"
                "或包中的其他表单（'other.json#/$defs/x'）"
                f" / {keyword} {ref!r} points outside the bundle; a form may refer only to itself "
                "('#/$defs/x') or to another form of the bundle by file name ('other.json#/$defs/x')"
            )
            return []
        if target != name:
            self.references[name].add(target)
        try:
            resolved = self.registry.resolver().lookup(name + ref if ref.startswith("#") else ref)
        except Unresolvable:
            self.problems[name].append(
                f"{name}: {keyword} {ref!r} 没有指向任何内容 / {keyword} {ref!r} points to nothing"
            )
            return []
        if not isinstance(resolved.contents, dict | bool):
            self.problems[name].append(
                f"{name}: {keyword} {ref!r} 指向的不是 schema / {keyword} {ref!r} does not point to a schema"
            )
            return []
        return [(target, DRAFT202012.create_resource(resolved.contents))]


class FormBundle(Mapping[str, dict[str, Any]]):
    """The forms of one bundle by file name, which may refer to each other and to nothing else."""

    def __init__(self, forms: Mapping[str, dict[str, Any]]) -> None:
        self._forms = dict(forms)
        self._registry: Registry[Any] = Registry().with_resources(
            (name, DRAFT202012.create_resource(schema)) for name, schema in self._forms.items()
        )
        check = _BundleCheck(self._forms, self._registry)
        # What deploying the bundle refuses, form by form.
        self.problems = [problem for name in sorted(self._forms) for problem in check.problems[name]]
        # A form stored before these rules may still break them: it refuses submissions, its bundle loads.
        self._refusals = {name: _reachable(name, check.problems, check.references) for name in self._forms}
        self._validators: dict[str, Any] = {}

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self._forms[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._forms)

    def __len__(self) -> int:
        return len(self._forms)

    def validate(self, name: str, data: Any) -> list[FieldError]:
        """Return every field error of ``data`` against form ``name``; FormError if the form is unusable."""
        if self._refusals[name]:
            raise FormError("; ".join(self._refusals[name]))
        validator = self._validators.get(name)
        if validator is None:  # built once per form: the bundle is immutable and cached by the service
            validator = _FormValidator(
                self._forms[name], registry=self._registry, format_checker=_FORMAT_CHECKER
            )
            self._validators[name] = validator
        schema = self._forms[name]
        try:
            found = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        except (Unresolvable, re2.error) as error:  # the check above should have refused the form
            raise FormError(f"{name}: {error}") from error
        resolver = self._registry.resolver(base_uri=name)
        return [_field_error(resolver, schema, error) for error in found]


def _reachable(name: str, problems: Mapping[str, list[str]], references: Mapping[str, set[str]]) -> list[str]:
    """The problems of ``name`` and of every form it refers to, directly or not."""
    found, pending, seen = [], [name], {name}
    while pending:
        current = pending.pop()
        found.extend(problems[current])
        for target in references[current] - seen:
            seen.add(target)
            pending.append(target)
    return found


def validate_submission(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """Return every field error of ``data`` against a form that stands alone (refers to no other form)."""
    return FormBundle({"form.json": schema}).validate("form.json", data)


# -- field errors -----------------------------------------------------------------------------------------


def _field_path(path: Any) -> str:
    return ".".join(str(part) for part in path) or "(form)"


# A JSON type as people name it.
_TYPE_NAMES = {
    "string": ("文本", "text"),
    "number": ("数字", "a number"),
    "integer": ("整数", "a whole number"),
    "boolean": ("是或否", "yes or no"),
    "array": ("列表", "a list"),
    "object": ("一组字段", "a group of fields"),
    "null": ("空值", "empty"),
}
_FORMAT_NAMES = {
    "date": ("日期，如 2026-12-05", "a date (such as 2026-12-05)"),
    "date-time": ("日期时间", "a date and time"),
    "email": ("电子邮箱地址", "an email address"),
    "time": ("时间", "a time"),
}


@dataclass(frozen=True)
class _Title:
    zh: str
    en: str


def _titled(node: Any) -> _Title | None:
    if isinstance(node, dict) and isinstance(node.get("title"), str) and node["title"]:
        english = node.get("x-title-en")
        return _Title(node["title"], english if isinstance(english, str) and english else node["title"])
    return None


def _resolved(resolver: Any, node: Any) -> tuple[Any, Any]:
    """A subschema with its ``$ref`` followed (within the bundle), for its title."""
    for _ in range(8):  # a chain of references is short; a loop of them is refused by the bundle check
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)) or _titled(node):
            return resolver, node
        try:
            found = resolver.lookup(node["$ref"])
        except Unresolvable:  # the bundle check refuses such a form; it has no title to offer
            return resolver, {}
        resolver, node = found.resolver, found.contents
    return resolver, node


def _title_at(resolver: Any, schema: dict[str, Any], path: list[Any]) -> _Title | None:
    """The title of the field at ``path``: its own, as the form declares it on that property."""
    node: Any = schema
    for part in path:
        resolver, node = _resolved(resolver, node)
        if not isinstance(node, dict):
            return None
        node = node.get("items", {}) if isinstance(part, int) else node.get("properties", {}).get(part, {})
    return _titled(_resolved(resolver, node)[1])


def _quoted_zh(title: _Title | None) -> str:
    return f"“{title.zh}”" if title else "该字段"


def _messages(error: Any, title: _Title | None) -> tuple[str, str]:
    """The error in Chinese and English, naming the field by its title."""
    zh, en = _quoted_zh(title), (title.en if title else "This field")
    validator, value = error.validator, error.validator_value
    if validator == "required":
        return f"缺少必填项：{title.zh if title else ''}", f"Required: {title.en if title else ''}."
    if validator == "type":
        wanted = value if isinstance(value, list) else [value]
        names = [_TYPE_NAMES.get(str(each), (str(each), str(each))) for each in wanted]
        return (
            f"{zh}的类型不正确（应为{'或'.join(n[0] for n in names)}）",
            f"{en} must be {' or '.join(n[1] for n in names)}.",
        )
    if validator in ("enum", "const"):
        return f"{zh}的取值不在允许范围内", f"{en}: choose one of the allowed values."
    if validator in ("minimum", "exclusiveMinimum"):
        return f"{zh}不能小于 {value}", f"{en} cannot be less than {value}."
    if validator in ("maximum", "exclusiveMaximum"):
        return f"{zh}不能大于 {value}", f"{en} cannot be more than {value}."
    if validator in ("minLength", "minItems"):
        if value == 1:
            return f"{zh}不能为空", f"{en} cannot be empty."
        return f"{zh}过短", f"{en} is too short (at least {value})."
    if validator in ("maxLength", "maxItems"):
        return f"{zh}过长", f"{en} is too long (at most {value})."
    if validator == "format":
        zh_format, en_format = _FORMAT_NAMES.get(str(value), (str(value), str(value)))
        return f"{zh}格式不正确（应为{zh_format}）", f"{en} must be {en_format}."
    if validator == "pattern":
        return f"{zh}格式不正确", f"{en} is not in the expected format."
    if validator == "additionalProperties":
        extras = "、".join(_extra_keys(error))
        return (
            f"表单中含有未定义的字段：{extras}",
            f"The form has fields it does not define: {extras.replace('、', ', ')}.",
        )
    if validator == "uniqueItems":
        return f"{zh}含有重复项", f"{en} has the same entry twice."
    return f"{zh}不符合要求", f"{en} is not valid."


def _extra_keys(error: Any) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    properties, patterns = schema.get("properties", {}), list(schema.get("patternProperties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    return sorted(
        str(key) for key in instance if key not in properties and not any(_matches(p, key) for p in patterns)
    )


def _field_error(resolver: Any, schema: dict[str, Any], error: Any) -> FieldError:
    path = list(error.absolute_path)
    if error.validator == "required" and "'" in error.message:
        path = [*path, error.message.split("'")[1]]
    title = _title_at(resolver, schema, path)
    if title is None and error.validator != "required":
        title = _titled(error.schema)
    if title is None and error.validator == "required":  # an untitled field is known by its key
        title = _Title(str(path[-1]), str(path[-1]))
    message, message_en = _messages(error, title)
    return FieldError(
        field=_field_path(path),
        message=message,
        message_en=message_en,
        keyword=str(error.validator),
        title=title.zh if title else "",
        title_en=title.en if title else "",
    )
