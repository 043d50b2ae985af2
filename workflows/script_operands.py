"""Bound the operations that walk a whole value: comparing, hashing and printing it.

A list can hold the same object many times, so a small value can be huge once walked: after
`x = [x, x]` twenty times, `x == y`, `{x}` (for tuples) or `str(x)` visits a million elements in one
C-level call, and thirty times a billion, holding the GIL all along (workflows/script_limits.py says why
that cannot be interrupted). Every place where model code hands a value to such a walk therefore measures
it first (``measured``: nesting and size, every shared reference counted, stopping at the bound): the
operands of comparisons and of `in`, f-string values and `%` arguments, set elements and dict keys,
subscripts, `assert` messages, and the arguments of the builtins and methods that compare, hash or print.
Numbers and text pass at once, so an ordinary condition pays one function call per operand. The same
walk (``check_value``) bounds what a script writes into task data and what an expression returns, since
saving the data writes a shared part out every time too.

The builtins that walk (``WALKING_BUILTINS``) may only be called by name, named in `isinstance` or
`except`, or have an attribute read (`str.upper`): `f = str; f(x)` would call them past the check.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date, time
from functools import partial
from typing import Any

from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.transformer import copy_locations

from workflows.script_limits import (
    MAX_STRING_LENGTH,
    BoundedPolicy,
    ScriptRejectedError,
    format_value,
    guarded_getattr,
    guarded_inplace,
    guarded_mod,
)

# A value written to task data, returned by an expression, or compared, hashed or printed, every shared
# reference counted:
MAX_NESTING_DEPTH = 32  # levels of lists, tuples, sets and dicts
MAX_VALUE_ELEMENTS = 100_000  # elements of all its containers
MAX_VALUE_CHARACTERS = 4 * MAX_STRING_LENGTH  # characters of all its text
SAVED_INT_MIN, SAVED_INT_MAX = -(2**63), 2**64 - 1  # what orjson writes, for integers in task data

_FLAT_TYPES = frozenset({bool, int, float, complex, type(None), str, bytes, slice, range})
_COLLECTIONS = (dict, set, frozenset, list, tuple)
_TEXT = (str, bytes)
_ATOMS = (bool, int, float, type(None))
_ATOM_TYPES = frozenset(_ATOMS)

# Builtins (and exception classes, printed when they reach the engine) whose call walks its arguments,
# and of those the ones that iterate their first argument: an iterator is listed first, to be measured.
WALKING_BUILTINS = frozenset(
    {"str", "set", "dict", "sorted", "max", "min", "ValueError", "KeyError", "TypeError"}
)
ITERATING_BUILTINS = frozenset({"set", "dict", "sorted", "max", "min"})

# Methods that hash or compare their arguments, and those that also compare the elements of their list.
_HASHING_METHODS = frozenset(
    {"get", "pop", "setdefault", "fromkeys", "update", "add", "discard", "remove", "union", "intersection"}
    | {"difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint", "intersection_update"}
    | {"difference_update", "symmetric_difference_update", "index", "count", "sort"}
)
_COMPARING_METHODS = frozenset({"index", "count", "remove", "sort"})

# Methods that change a list, dict or set in place. An expression (a condition, a decision entry, a timer)
# only computes a value; refusing these keeps it from changing task data, whose checked copy is a script's.
MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"}  # list
    | {"popitem", "setdefault", "update"}  # dict
    | {"add", "discard", "intersection_update", "difference_update", "symmetric_difference_update"}  # set
)


def check_value(value: Any, what: str, saved: bool = True) -> None:
    """Refuse a value nested deeper than MAX_NESTING_DEPTH or larger than MAX_VALUE_ELEMENTS/CHARACTERS.

    A shared object is counted every time it is reached, as saving the value will write it out each time.
    The walk goes level by level and stops as soon as a bound is passed, so even a refused value costs
    at most about MAX_VALUE_ELEMENTS steps. A value to be ``saved`` may hold only integers of 64 bits: the
    storage's JSON encoder (orjson) cannot write a longer one.
    """
    if value is None or isinstance(value, _ATOMS):
        if saved and type(value) is int and not SAVED_INT_MIN <= value <= SAVED_INT_MAX:
            raise _refuse_saved_int(what)
        return
    elements = characters = 0
    level = [value]
    for depth in range(MAX_NESTING_DEPTH + 1):
        below: list[Any] = []
        for item in level:
            if isinstance(item, _TEXT):
                characters += len(item)
                if characters > MAX_VALUE_CHARACTERS:
                    raise ScriptRejectedError(f"{what}过大：文字超过 {MAX_VALUE_CHARACTERS} 个字符")
            elif isinstance(item, _COLLECTIONS):
                if depth == MAX_NESTING_DEPTH:
                    raise ScriptRejectedError(f"{what}的嵌套超过 {MAX_NESTING_DEPTH} 层")
                elements += len(item)
                if elements > MAX_VALUE_ELEMENTS:
                    raise ScriptRejectedError(f"{what}过大：超过 {MAX_VALUE_ELEMENTS} 个元素")
                if isinstance(item, dict):
                    below.extend(item.keys())
                    below.extend(item.values())
                else:
                    below.extend(item)
            elif type(item) is int:
                raise _refuse_saved_int(what)
        # Numbers were counted with the elements; only text, containers and integers too long to save are
        # looked into. One filter per level: under the step budget's tracer every comprehension is a call.
        if saved:
            level = [c for c in below if type(c) not in _ATOM_TYPES or type(c) is int and not _saved_int(c)]
        else:
            level = [child for child in below if type(child) not in _ATOM_TYPES]
        if not level:
            return


def _saved_int(number: int) -> bool:
    return SAVED_INT_MIN <= number <= SAVED_INT_MAX


# What the storage writes as JSON as it is; anything else (a set, bytes, an exception, a range) it would
# silently turn into its printed form, so a script may not leave it in the task data.
_STORABLE = (dict, list, tuple, str, int, float, bool, type(None), date, time)


def check_storable(value: Any, what: str) -> None:
    """Refuse a value the storage cannot write as it is, naming its type. Call after ``check_value``:
    the walk relies on the value being bounded."""
    pending = [value]
    while pending:
        item = pending.pop()
        if not isinstance(item, _STORABLE):
            raise ScriptRejectedError(
                f"{what}含有无法保存的值（{type(item).__name__}），请改用列表、字典、文字或数字"
            )
        if isinstance(item, dict):
            for key in item:
                if isinstance(key, dict | list | tuple) or not isinstance(key, _STORABLE):
                    raise ScriptRejectedError(
                        f"{what}的字典键（{type(key).__name__}）无法保存，请用文字或数字作键"
                    )
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def _refuse_saved_int(what: str) -> ScriptRejectedError:
    return ScriptRejectedError(f"{what}含有超出 64 位范围的整数，无法保存")


def measured(value: Any, what: str) -> Any:
    """``value``, once checked like a value leaving the sandbox; numbers and text pass at once.

    For values about to be compared, hashed or printed, which walks them whole.
    """
    if type(value) not in _FLAT_TYPES:
        check_value(value, what, saved=False)
    return value


def measured_format(value: Any, conversion: int, spec: str) -> str:
    return format_value(measured(value, "格式化的值"), conversion, spec)


def measured_mod(left: Any, right: Any) -> Any:
    if isinstance(left, _TEXT):
        measured(right, "格式化的值")
    return guarded_mod(left, right)


def measured_inplace(op: str, target: Any, value: Any) -> Any:
    if op == "%=" and isinstance(target, _TEXT):
        measured(value, "格式化的值")
    return guarded_inplace(op, target, value)


def operand(value: Any) -> Any:
    """A value about to be compared, hashed or printed, once measured."""
    return value if type(value) in _FLAT_TYPES else measured(value, "参与比较或输出的值")


def contained_in(value: Any) -> Any:
    """The right side of `in`: a dict or set finds the left side by its hash and walks nothing else."""
    if type(value) in _FLAT_TYPES or isinstance(value, (dict, set, frozenset)):
        return value
    return measured(value, "参与比较的值")


def iterated(value: Any) -> Any:
    """An argument a builtin will iterate and compare or hash: an iterator is listed, then measured."""
    if type(value) in _FLAT_TYPES:
        return value
    if not isinstance(value, _COLLECTIONS) and hasattr(value, "__iter__"):
        value = list(value)  # a generator, zip or dict view: what it yields is measured as a list
    return measured(value, "参与比较或输出的值")


def key_function(key: Any) -> Any:
    """A `key=` function, whose results are compared: each result is measured."""
    return None if key is None else (lambda item: operand(key(item)))


def guarded_getitem(obj: Any, key: Any) -> Any:
    if type(key) not in _FLAT_TYPES:
        measured(key, "下标")
    return default_guarded_getitem(obj, key)


def _walk_arguments(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    if "key" in kwargs:
        kwargs["key"] = key_function(kwargs["key"])
    return method(*[iterated(arg) for arg in args], **kwargs)


def _walk_all(target: Any, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    measured(target, "参与比较的值")
    return _walk_arguments(method, *args, **kwargs)


def walking_getattr(obj: Any, name: str) -> Any:
    """``guarded_getattr``, with the methods that hash or compare their arguments bound to the checks."""
    value = guarded_getattr(obj, name)
    if name in _HASHING_METHODS:
        if name in _COMPARING_METHODS and isinstance(obj, (list, tuple)):
            return partial(_walk_all, obj, value)
        if isinstance(obj, _COLLECTIONS) or (isinstance(obj, type) and obj in _COLLECTIONS):
            return partial(_walk_arguments, value)  # unbound (`list.count(x, v)`): self is an argument
    return value


OPERAND_GUARDS: dict[str, Any] = {
    "_operand_": operand,
    "_contained_in_": contained_in,
    "_iterated_": iterated,
    "_key_function_": key_function,
    "_getitem_": guarded_getitem,
    "_getattr_": walking_getattr,
    "_format_": measured_format,
    "_mod_": measured_mod,
    "_inplacevar_": measured_inplace,
}


def _literal(node: ast.expr) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(element) for element in node.elts)
    return isinstance(node, ast.Constant)


def _wrap(guard: str, node: ast.expr) -> ast.expr:
    if _literal(node):
        return node  # written in the model: small
    call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node], keywords=[])
    copy_locations(call, node)
    return call


class ScriptPolicy(BoundedPolicy):
    """The compiler policy for scripts: sizes bounded, and every walk of a whole value measured first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._named_builtins: set[int] = set()  # ids of the Name nodes where a walking builtin may appear

    def _allow(self, node: ast.expr | None) -> None:
        for name in node.elts if isinstance(node, ast.Tuple) else [node]:
            if isinstance(name, ast.Name):
                self._named_builtins.add(id(name))

    def visit_Name(self, node: ast.Name) -> Any:
        named = id(node) in self._named_builtins
        if node.id in WALKING_BUILTINS and isinstance(node.ctx, ast.Load) and not named:
            self.error(node, f"{node.id} 只能直接调用（如 {node.id}(x)）或用于 isinstance，不能作为值传递")
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        self._allow(node.value)  # str.upper: attributes of the type are guarded by _getattr_
        return super().visit_Attribute(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        # The sandbox has no __build_class__: a class failed at run time with an unreadable error, and its
        # objects could not be saved with the task data anyway.
        self.error(node, "模型脚本不能定义类（class），请用字典（dict）保存数据")
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        self._allow(node.type)
        return super().visit_ExceptHandler(node)

    def visit_Raise(self, node: ast.Raise) -> Any:
        self._allow(node.exc)  # `raise ValueError`, without arguments
        return super().visit_Raise(node)

    def visit_Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in WALKING_BUILTINS:
            self._allow(node.func)
        elif name == "isinstance" and len(node.args) == 2:
            self._allow(node.args[1])
        result: Any = super().visit_Call(node)
        node = result
        if name in WALKING_BUILTINS and isinstance(node, ast.Call):
            first = "_iterated_" if name in ITERATING_BUILTINS else "_operand_"
            node.args = [_wrap(first if i == 0 else "_operand_", arg) for i, arg in enumerate(node.args)]
            for keyword in node.keywords:
                guard = "_key_function_" if keyword.arg == "key" else "_operand_"
                keyword.value = _wrap(guard, keyword.value)
        return node

    def visit_Compare(self, node: ast.Compare) -> Any:
        result: Any = super().visit_Compare(node)
        node = result
        original, ops = [node.left, *node.comparators], node.ops
        operands = list(original)
        identity = (ast.Is, ast.IsNot)
        for index, value in enumerate(original):
            before = ops[index - 1] if index > 0 else None
            after = ops[index] if index < len(ops) else None
            neighbours = []
            if before is not None and not isinstance(before, identity):
                neighbours.append(original[index - 1])
            if after is not None and not isinstance(after, identity):
                neighbours.append(original[index + 1])
            if all(_literal(neighbour) for neighbour in neighbours):
                # Compared only with literals (or by identity): the literal's size bounds the comparison,
                # `age > 30`, `"x" in findings`, `decision == "approve"` pay nothing.
                continue
            only_right_of_in = after is None or isinstance(after, identity)
            right_of_in = isinstance(before, (ast.In, ast.NotIn)) and only_right_of_in
            operands[index] = _wrap("_contained_in_" if right_of_in else "_operand_", value)
        node.left, node.comparators = operands[0], operands[1:]
        return node

    def visit_Set(self, node: ast.Set) -> Any:
        result: Any = super().visit_Set(node)
        node = result
        for index, element in enumerate(node.elts):
            if isinstance(element, ast.Starred):
                element.value = _wrap("_iterated_", element.value)
            else:
                node.elts[index] = _wrap("_operand_", element)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        result: Any = super().visit_Dict(node)
        node = result
        node.keys = [None if key is None else _wrap("_operand_", key) for key in node.keys]
        return node

    def visit_SetComp(self, node: ast.SetComp) -> Any:
        result: Any = super().visit_SetComp(node)
        node = result
        node.elt = _wrap("_operand_", node.elt)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> Any:
        result: Any = super().visit_DictComp(node)
        node = result
        node.key = _wrap("_operand_", node.key)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        result: Any = super().visit_Subscript(node)
        node = result  # a read becomes _getitem_(value, key), which measures key
        key = node.slice if isinstance(node, ast.Subscript) else None
        if key is not None and not any(isinstance(part, ast.Slice) for part in ast.walk(key)):
            node.slice = _wrap("_operand_", node.slice)  # `d[k] = v` and `del d[k]` hash k
        return node

    def visit_Assert(self, node: ast.Assert) -> Any:
        result: Any = super().visit_Assert(node)
        node = result
        if node.msg is not None:
            node.msg = _wrap("_operand_", node.msg)
        return node


class ExpressionPolicy(ScriptPolicy):
    """The policy for expressions: as for scripts, and unable to change task data in place."""

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in MUTATING_METHODS:
            self.error(node, f"表达式不能修改流程数据（不允许调用 {node.attr}）")
        return super().visit_Attribute(node)
