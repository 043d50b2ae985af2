"""Bounds on the numbers, strings, containers and nesting that a model's scripts and expressions can build.

The step budget (workflows/scripting.py) stops model code between two bytecodes, but a single bytecode can
run one C-level operation for minutes while it holds the GIL (`10**10**10`, `[0] * 10**9`,
`'%0999999999d' % 1`): no Python-level watchdog interrupts it, and the worker answers nothing until it is
killed. So the restricted compiler (``BoundedPolicy``) hands every operation that can make a result much
larger than its operands to a guard here, which works out the size of the result from the sizes of the
operands *before* running it and refuses it past a bound. The guards are tiny and look at sizes only when
the operands are integers or sequences, since gateway conditions and decision tables run them all the time.

Values that are small but share their parts, which are huge only once walked (compared, hashed, printed
or saved), are bounded in workflows/script_operands.py.
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from RestrictedPython.Guards import full_write_guard, safer_getattr
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

MAX_INT_BITS = 10_000  # about 3,000 digits, within the 4,300 Python prints (task data holds only 64 bits)
MAX_STRING_LENGTH = 1_000_000  # characters of one str (or bytes)
MAX_SEQUENCE_LENGTH = 100_000  # elements of one list or tuple made by *, + or extend
MAX_FORMAT_WIDTH = 1_000  # width or precision in a format spec: f"{x:>1000}", "%.1000f"
MAX_ROUND_DIGITS = 1_000  # round(x, -n) computes 10**n


class ScriptRejectedError(Exception):
    """A script or expression that the restricted compiler refuses, or that exceeded its budget."""


_TEXT = (str, bytes)
_SEQUENCES = (list, tuple)


def _refuse_int(operation: str) -> ScriptRejectedError:
    return ScriptRejectedError(f"运算 {operation} 的结果将超过整数上限 {MAX_INT_BITS} 个二进制位")


def _check_length(value: Any, length: int, operation: str) -> None:
    """Refuse an operation that would make ``value``'s kind (text or sequence) longer than its bound."""
    if isinstance(value, _TEXT):
        if length > MAX_STRING_LENGTH:
            raise ScriptRejectedError(
                f"运算 {operation} 将产生 {length} 个字符的字符串，超过上限 {MAX_STRING_LENGTH}"
            )
    elif isinstance(value, _SEQUENCES) and length > MAX_SEQUENCE_LENGTH:
        raise ScriptRejectedError(
            f"运算 {operation} 将产生 {length} 个元素的列表，超过上限 {MAX_SEQUENCE_LENGTH}"
        )


def _check_int(result: Any, operation: str) -> Any:
    if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
        raise _refuse_int(operation)
    return result


# -- the guarded operators ------------------------------------------------------------------------------


def guarded_pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 1 and abs(base) > 1:
        # |base| >= 2, so the result has at least `exponent` bits; log2 is exact enough past that check.
        if exponent > MAX_INT_BITS or exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise _refuse_int("**")
    return base**exponent


def guarded_mul(left: Any, right: Any) -> Any:
    if isinstance(right, int):
        if isinstance(left, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise _refuse_int("*")
        elif right > 0 and isinstance(left, (str, bytes, list, tuple)):
            _check_length(left, len(left) * right, "*")
    elif isinstance(left, int) and left > 0 and isinstance(right, (str, bytes, list, tuple)):
        _check_length(right, len(right) * left, "*")
    return left * right


def guarded_lshift(value: Any, shift: Any) -> Any:
    if isinstance(value, int) and isinstance(shift, int) and value:
        if value.bit_length() + shift > MAX_INT_BITS:
            raise _refuse_int("<<")
    return value << shift


def guarded_add(left: Any, right: Any) -> Any:
    if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, (str, bytes, list, tuple)):
        _check_length(left, len(left) + len(right), "+")
    return _check_int(left + right, "+")


def guarded_sub(left: Any, right: Any) -> Any:
    return _check_int(left - right, "-")


def _check_division(left: Any, right: Any, operation: str) -> None:
    # Long division costs the product of the lengths; int('1' * 10**6, 2) makes a long integer cheaply.
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() > MAX_INT_BITS and right.bit_length() > MAX_INT_BITS:
            raise _refuse_int(operation)


def guarded_floordiv(left: Any, right: Any) -> Any:
    _check_division(left, right, "//")
    return left // right


def guarded_divmod(left: Any, right: Any) -> Any:
    _check_division(left, right, "divmod")
    return divmod(left, right)


def spread(value: Any) -> Any:
    """What `*value` unpacks into a list or tuple display: `a = [*a, *a]` would double it in one step."""
    sized = isinstance(value, (str, bytes, list, tuple, dict, set, frozenset))
    if sized and len(value) > MAX_SEQUENCE_LENGTH:
        raise ScriptRejectedError(f"*展开 {len(value)} 个元素，超过上限 {MAX_SEQUENCE_LENGTH}")
    return value


# `%` conversions: "%%", or "%" with an optional mapping key, flags, width and precision.
_PERCENT_SPEC = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
_DIGIT_RUNS = re.compile(r"\d+")


def _check_width(number: str, where: str) -> None:
    if number == "*":
        raise ScriptRejectedError(f"格式 {where[:40]!r} 中不允许用 * 指定宽度或精度")
    if number and (len(number) > 6 or int(number) > MAX_FORMAT_WIDTH):
        raise ScriptRejectedError(
            f"格式 {where[:40]!r} 的宽度或精度 {number[:12]} 超过上限 {MAX_FORMAT_WIDTH}"
        )


def guarded_mod(left: Any, right: Any) -> Any:
    _check_division(left, right, "%")
    if isinstance(left, _TEXT):
        text = left.decode("latin-1") if isinstance(left, bytes) else left
        for match in _PERCENT_SPEC.finditer(text):
            for number in match.groups():
                if number:
                    _check_width(number, text)
    return left % right


def format_value(value: Any, conversion: int, spec: str) -> str:
    """An f-string's ``{value!conversion:spec}``, with the spec's width and precision bounded."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    if spec:
        for number in _DIGIT_RUNS.findall(spec):
            _check_width(number, spec)
    return format(value, spec)


_INPLACE: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any] | None]] = {
    # operator, and the guard that checks the sizes first (None: the result is never larger)
    "+=": (operator.iadd, guarded_add),
    "-=": (operator.isub, guarded_sub),
    "*=": (operator.imul, guarded_mul),
    "/=": (operator.itruediv, None),
    "//=": (operator.ifloordiv, guarded_floordiv),
    "%=": (operator.imod, guarded_mod),
}


def guarded_inplace(op: str, target: Any, value: Any) -> Any:
    """Apply an augmented assignment (RestrictedPython routes `x += 1` through this)."""
    if op not in _INPLACE:
        raise ScriptRejectedError(f"模型中不允许使用运算符 {op}")
    apply, guard = _INPLACE[op]
    if guard is not None and isinstance(target, (int, str, bytes, tuple)):
        return guard(target, value)  # immutable: `x += y` is `x = x + y`
    if isinstance(target, list):
        # In place, so that other names of the list see the change, as in Python; checked first.
        if op == "+=":
            value = value if hasattr(value, "__len__") else list(value)
            _check_length(target, len(target) + len(value), op)
        elif op == "*=" and isinstance(value, int):
            _check_length(target, len(target) * value, op)
    return apply(target, value)


# -- methods and builtins that can grow a value -------------------------------------------------------


def _check_width_arg(text: Any, method: Callable[..., Any], width: Any, *args: Any) -> Any:
    if isinstance(width, int):
        _check_length(text, width, method.__name__)
    return method(width, *args)


def _check_expandtabs(text: Any, method: Callable[..., Any], tabsize: Any = 8) -> Any:
    if isinstance(tabsize, int) and tabsize > 1:
        tab = "\t" if isinstance(text, str) else b"\t"
        _check_length(text, len(text) + text.count(tab) * (tabsize - 1), "expandtabs")
    return method(tabsize)


def _check_replace(text: Any, method: Callable[..., Any], old: Any, new: Any, count: Any = -1) -> Any:
    if isinstance(old, _TEXT) and isinstance(new, _TEXT) and len(new) > len(old):
        occurrences = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            occurrences = min(occurrences, count)
        _check_length(text, len(text) + occurrences * (len(new) - len(old)), "replace")
    return method(old, new, count)


def _check_join(separator: Any, method: Callable[..., Any], iterable: Any) -> Any:
    items = iterable if isinstance(iterable, _SEQUENCES) else list(iterable)
    length = len(separator) * max(len(items) - 1, 0)
    for item in items:
        if isinstance(item, _TEXT):
            length += len(item)
    _check_length(separator, length, "join")
    return method(items)


def _check_translate(text: Any, method: Callable[..., Any], table: Any) -> Any:
    if isinstance(text, str) and isinstance(table, dict):
        longest = max([len(v) for v in table.values() if isinstance(v, str)], default=1)
        _check_length(text, len(text) * longest, "translate")
    return method(table)


def _check_to_bytes(number: Any, method: Callable[..., Any], length: Any = 1, *args: Any, **kw: Any) -> Any:
    if isinstance(length, int):
        _check_length(b"", length, "to_bytes")
    return method(length, *args, **kw)


def _check_extend(target: Any, method: Callable[..., Any], iterable: Any) -> Any:
    items = iterable if hasattr(iterable, "__len__") else list(iterable)
    _check_length(target, len(target) + len(items), "extend")
    return method(items)


_GROWING_METHODS: dict[str, tuple[tuple[type, ...], Callable[..., Any]]] = {
    "ljust": (_TEXT, _check_width_arg),
    "rjust": (_TEXT, _check_width_arg),
    "center": (_TEXT, _check_width_arg),
    "zfill": (_TEXT, _check_width_arg),
    "expandtabs": (_TEXT, _check_expandtabs),
    "replace": (_TEXT, _check_replace),
    "join": (_TEXT, _check_join),
    "translate": (_TEXT, _check_translate),
    "extend": ((list,), _check_extend),
    "to_bytes": ((int,), _check_to_bytes),
}


def guarded_getattr(obj: Any, name: str) -> Any:
    """RestrictedPython's ``safer_getattr``, with the methods that can grow a value bound to their checks."""
    value = safer_getattr(obj, name)
    if name in _GROWING_METHODS:
        kinds, check = _GROWING_METHODS[name]
        if isinstance(obj, kinds):
            return partial(check, obj, value)
        if isinstance(obj, type):
            raise ScriptRejectedError(f"请在值上调用 {name}（如 s.{name}(...)），不要通过类型调用")
    return value


class _ListWriter:
    """What ``_write_`` hands out for a list: item and slice assignment with the length bounded."""

    __slots__ = ("_target",)

    def __init__(self, target: list[Any]) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = value if hasattr(value, "__len__") else list(value)  # zip(a) is as long as a
            removed = len(range(*key.indices(len(self._target))))
            _check_length(self._target, len(self._target) - removed + len(value), "切片赋值")
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def guarded_write(obj: Any) -> Any:
    return _ListWriter(obj) if type(obj) is list else full_write_guard(obj)


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ScriptRejectedError(f"round() 的位数 {ndigits} 超过上限 {MAX_ROUND_DIGITS}")
    return round(number, ndigits)


def guarded_sum(iterable: Any, start: Any = 0) -> Any:
    if isinstance(start, (int, float)):
        return _check_int(sum(iterable, start), "sum")
    # (No generator expressions in the guards: under the step budget's tracer every resumption costs a call.)
    items = list(iterable)
    if isinstance(start, _SEQUENCES) and {type(item) for item in items} <= {type(start)}:
        # Adding sequences one by one is quadratic; chain them once, after checking the length.
        _check_length(start, len(start) + sum([len(item) for item in items]), "sum")
        return type(start)(itertools.chain(start, *items))
    return sum(items, start)


# -- the compiler policy --------------------------------------------------------------------------------

_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Pow: "_pow_",
    ast.Mult: "_mul_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Sub: "_sub_",
    ast.Mod: "_mod_",
    ast.FloorDiv: "_floordiv_",
}

GUARDS: dict[str, Any] = {
    "_pow_": guarded_pow,
    "_mul_": guarded_mul,
    "_lshift_": guarded_lshift,
    "_add_": guarded_add,
    "_sub_": guarded_sub,
    "_mod_": guarded_mod,
    "_floordiv_": guarded_floordiv,
    "_spread_": spread,
    "_format_": format_value,
    "_inplacevar_": guarded_inplace,
    "_getattr_": guarded_getattr,
    "_write_": guarded_write,
}


def _number(node: ast.expr, kinds: tuple[type, ...] = (int, float, complex)) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, kinds)


def _float_valued(node: ast.expr) -> bool:
    """Whether an expression is a float whatever its names hold (or fails): a float literal, a true
    division, or arithmetic with a float-valued operand (text and lists refuse floats)."""
    if isinstance(node, ast.Constant):
        return type(node.value) is float
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Mod):  # "%s" % 0.5 is text
        return isinstance(node.op, ast.Div) or _float_valued(node.left) or _float_valued(node.right)
    return False


def _cannot_grow(node: ast.BinOp) -> bool:
    """Whether a literal or float operand keeps the result small whatever the other holds (decision
    tables are full of `a * 0.4 + b * 0.6`, and a guard call costs microseconds under the tracer)."""
    left, right, op = node.left, node.right, node.op
    arithmetic = isinstance(op, (ast.Mult, ast.Pow, ast.Add, ast.Sub))
    if arithmetic and (_float_valued(left) or _float_valued(right)):
        return True
    if isinstance(op, (ast.Add, ast.Sub)):
        return _number(left) or _number(right)  # one more bit at most; text or lists refuse a number
    if isinstance(op, ast.LShift):
        return isinstance(right, ast.Constant) and type(right.value) is int and 0 <= right.value <= 64
    if isinstance(op, ast.FloorDiv):
        return _number(left) or _number(right)
    return False  # % formats text, whose widths only the guard sees


def _call(name: str, args: list[ast.expr], like: ast.expr) -> ast.Call:
    node = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(node, like)
    return node


class BoundedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, with the operations that can build a huge value routed to the guards."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPERATORS.get(type(node.op))
        if guard is None or _cannot_grow(node):
            return node
        return _call(guard, [node.left, node.right], node)

    def visit_List(self, node: ast.List) -> Any:
        return self._guard_spreads(self.node_contents_visit(node))

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return self._guard_spreads(self.node_contents_visit(node))

    @staticmethod
    def _guard_spreads(node: Any) -> Any:
        for element in node.elts:
            if isinstance(element, ast.Starred) and isinstance(node.ctx, ast.Load):
                element.value = _call("_spread_", [element.value], element.value)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        node.value = _call("_format_", [node.value, ast.Constant(node.conversion), spec], node)
        node.conversion = -1
        node.format_spec = None
        return node
