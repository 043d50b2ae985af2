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
