"""Camunda's timer and condition expressions rewritten for SpiffWorkflow, where there is one clear meaning.

Camunda reads a timer's text as an ISO 8601 literal (``P7D``) and a condition as JUEL (``${approved}``);
SpiffWorkflow evaluates both as Python expressions. A literal is quoted (``"P7D"``); a JUEL expression made
only of data names, literals, comparisons and ``&& || !`` becomes the same Python expression. Anything else
(method calls, ``a.b`` on a Java object, ``empty``) is left to the designer: None.
"""

from __future__ import annotations

import re

# A timer written as a bare ISO 8601 literal: a duration, a repetition or a date (as workflows.lint).
BARE_ISO_TIMER = re.compile(
    r"^(R\d*/)?(P(?=\d|T\d)[\dYMWDTHS.]+|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-][\d:]+)?)?)$"
)
_JUEL = re.compile(r"^[$#]\{(.*)\}$", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'[^'\\]*'|"[^"\\]*")|(?P<number>\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!()+\-*/%])"""
    r"""|(?P<name>[A-Za-z_]\w*))"""
)
_WORDS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "true": "True",
    "false": "False",
    "null": "None",
    "div": "/",
    "mod": "%",
}
_OPS = {"&&": "and", "||": "or", "!": "not"}


def rewrite_timer(text: str) -> str | None:
    """``P7D`` -> ``"P7D"``, ``${name}`` -> ``name``; None when nothing needs (or can be) rewritten."""
    text = text.strip()
    if BARE_ISO_TIMER.match(text):
        return f'"{text}"'
    match = _JUEL.match(text)
    if match and re.fullmatch(r"\s*[A-Za-z_]\w*\s*", match[1]) and match[1].strip() not in _WORDS:
        return match[1].strip()
    return None


def rewrite_expression(text: str) -> str | None:
    """A JUEL condition (``${amount > 100 && approved}``) as Python (``amount > 100 and approved``)."""
    match = _JUEL.match(text.strip())
    if match is None:
        return None
    inner, out, at = match[1], [], 0
    while at < len(inner):
        if inner[at:].strip() == "":
            break
        token = _TOKEN.match(inner, at)
        if token is None:
            return None
        at = token.end()
        if token["name"]:
            word = token["name"]
            if word in ("empty", "this") or inner[at : at + 1] in (".", "["):
                return None  # Java objects and JUEL's own operators have no Python meaning here
            out.append(_WORDS.get(word, word))
        elif token["op"]:
            out.append(_OPS.get(token["op"], token["op"]))
        else:
            out.append(token["string"] or token["number"])
    if not out:
        return None
    rewritten = " ".join(out).replace("( ", "(").replace(" )", ")")
    return re.sub(r"\bnot (?==)", "!", rewritten)


# FEEL's unary tests in a decision table's input entries, as SpiffWorkflow reads them: a Python expression
# where ``?`` stands for the input's value (``1 <= ? <= 5``), or a value or comparison it completes itself
# (``"station"``, ``<= 3``). FEEL's lists and ranges would otherwise be read as a Python tuple or refused
# only when the table runs.
_LITERAL = r"""(?:-?\d+(?:\.\d+)?|"[^"\\]*"|'[^'\\]*'|[A-Za-z_]\w*)"""
_RANGE = re.compile(rf"^([\[\]\(])\s*({_LITERAL})\s*\.\.\s*({_LITERAL})\s*([\[\]\)])$")
_COMPARISON = re.compile(rf"^(<=|>=|<|>|!=)\s*({_LITERAL})$")
_ONLY_LITERAL = re.compile(rf"^{_LITERAL}$")
_FEEL_WORDS = {"true": "True", "false": "False", "null": "None"}
UNSUPPORTED = "unsupported"


def rewrite_unary_tests(text: str) -> str | None:
    """An input entry's FEEL as SpiffWorkflow's expression; None when it reads the same, ``UNSUPPORTED``
    when it uses FEEL this cannot translate (functions, paths, ``and``)."""
    text = text.strip()
    if text in ("", "-"):
        return None
    negated = text.startswith("not(") and text.endswith(")")
    parts = _split(text[4:-1] if negated else text)
    tests = [_test(part) for part in parts]
    if any(test is None for test in tests):
        return UNSUPPORTED
    if not negated and len(parts) == 1 and (_ONLY_LITERAL.match(parts[0]) or _COMPARISON.match(parts[0])):
        rewritten = _COMPARISON.sub(lambda m: f"{m[1]} {_literal(m[2])}", parts[0])
        rewritten = _literal(rewritten) if _ONLY_LITERAL.match(rewritten) else rewritten
        return None if rewritten == text else rewritten
    if all(_ONLY_LITERAL.match(part) for part in parts) and len(parts) > 1:
        listed = f"? {'not in' if negated else 'in'} ({', '.join(_literal(p) for p in parts)})"
        return listed
    joined = " or ".join(f"({test})" if len(tests) > 1 else str(test) for test in tests)
    return f"not ({joined})" if negated else joined


def rewrite_literal(text: str) -> str | None:
    """An output entry's FEEL literal (``true``, ``null``) as Python; None when it reads the same."""
    stripped = text.strip()
    return _FEEL_WORDS.get(stripped)


def _test(part: str) -> str | None:
    if _ONLY_LITERAL.match(part):
        return f"? == {_literal(part)}"
    match = _COMPARISON.match(part)
    if match:
        return f"? {match[1]} {_literal(match[2])}"
    match = _RANGE.match(part)
    if match:
        low = "<=" if match[1] == "[" else "<"
        high = "<=" if match[4] == "]" else "<"
        return f"{_literal(match[2])} {low} ? {high} {_literal(match[3])}"
    return None


def _literal(text: str) -> str:
    return _FEEL_WORDS.get(text, text)


def _split(text: str) -> list[str]:
    """Split at the commas outside quotes and parentheses."""
    parts, current, depth, quote = [], "", 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return parts
