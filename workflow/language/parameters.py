"""Typed parameters: each parameter of a definition says what it is — a share (``fraction``),
a whole number, a date, one of a few choices, or a text — and its value must be one.

Shares are exact: ``2/3`` or a decimal such as ``0.5``, parsed to :class:`fractions.Fraction`
and compared in integers by the rules. A decimal that stands for a simple fraction it is not
(``0.6667``) is a warning naming the fraction meant: 0.6667 of 6 units asks for 5, 2/3 for 4.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from thidua.workflow.i18n import _

if TYPE_CHECKING:
    from thidua.workflow.language.model import Definition, Parameter

Found = tuple[tuple[str | int, ...], str]
TYPES = ("fraction", "integer", "date", "choice", "text", "quota", "groups")
_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_DECIMAL = re.compile(r"^\s*\d+(\.\d+)?\s*$")


def as_fraction(value: Any) -> Fraction:
    """A share given as ``a/b`` or as a decimal, exactly; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("a share is a fraction such as 2/3 or a decimal such as 0.5"))
    text = str(value)
    matched = _FRACTION.match(text)
    if matched:
        numerator, denominator = (int(g) for g in matched.groups())
        if denominator == 0:
            raise ValueError(_("{text!r} divides by zero").format(text=text))
        share = Fraction(numerator, denominator)
    elif isinstance(value, int | float) or _DECIMAL.match(text):
        share = Fraction(text.strip())
    else:
        raise ValueError(_("{text!r} is not a share: write a fraction such as 2/3 or a "
                           "decimal such as 0.5").format(text=text))
    if not 0 <= share <= 1:
        raise ValueError(_("{text} is not a share: a share lies between 0 and 1").format(
                             text=text))
    return share


def at_least(part: Fraction, whole: int) -> int:
    """How many of ``whole`` make at least ``part`` of it."""
    return math.ceil(part * whole)


def more_than(part: Fraction, whole: int) -> int:
    """How many of ``whole`` make more than ``part`` of it."""
    return math.floor(part * whole) + 1


def meant(share: Fraction, value: Any) -> Fraction | None:
    """The simple fraction a rounded decimal stands for (``0.6667`` → 2/3), if it is not it."""
    if _FRACTION.match(str(value)):
        return None
    simple = share.limit_denominator(12)
    if simple != share and abs(simple - share) < Fraction(1, 1000):
        return simple
    return None


def _check_value(parameter: Parameter) -> str | None:
    value, kind = parameter.value, parameter.type
    if kind == "fraction":
        try:
            as_fraction(value)
        except ValueError as exc:
            return str(exc)
    elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return _("{value!r} is not a whole number").format(value=value)
    elif kind == "date" and not isinstance(value, dt.date):
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return _("{value!r} is not a date YYYY-MM-DD").format(value=value)
    elif kind == "choice" and value not in (parameter.choices or []):
        return _("{value!r} is not one of its choices ({choices})").format(
                   value=value, choices=', '.join(parameter.choices or []))
    elif kind == "text" and (not isinstance(value, str) or not value.strip()):
        return _("{value!r} is not a text").format(value=value)
    elif kind == "quota":
        return _quota_problem(value)
    elif kind == "groups":
        return _groups_problem(value)
    return None


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _quota_problem(value: Any) -> str | None:
    """A quota is a whole number for the cluster, or one per emulation group."""
    if _count(value) or (isinstance(value, dict) and value
                         and all(isinstance(k, str) and _count(v) for k, v in value.items())):
        return None
    return _("{value!r} is not a quota: a whole number, or one per group ({{GROUP: N}})").format(
        value=value)


def _groups_problem(value: Any) -> str | None:
    """Emulation groups: named, each a list of units, no unit in two groups."""
    if not isinstance(value, dict) or not value or not all(
            isinstance(k, str) and isinstance(v, list) and v
            and all(isinstance(u, str) and u for u in v) for k, v in value.items()):
        return _("groups are written {{GROUP: [UNIT, ...]}}, each with at least one "
                 "unit").format()
    seen: dict[str, str] = {}
    for group, units in value.items():
        for unit in units:
            if unit in seen:
                return _("{unit!r} is in two groups ({first}, {second})").format(
                    unit=unit, first=seen[unit], second=group)
            seen[unit] = group
    return None


def check_parameters(defn: Definition) -> Iterator[Found]:
    """A problem for every parameter whose value is not of the type it declares, and for
    choices given to a parameter that is not a choice."""
    for name, parameter in defn.parameters.items():
        if parameter.type is None:
            continue
        problem = _check_value(parameter)
        if problem:
            yield ("parameters", name, "value"), (
                _("parameter {name!r} is a {type}: {problem}").format(
                    name=name, type=parameter.type, problem=problem))
        if parameter.choices is not None and parameter.type != "choice":
            yield ("parameters", name, "choices"), (
                _("parameter {name!r} is a {type}: only a choice has choices").format(
                    name=name, type=parameter.type))


def value_of(defn: Definition, name: str) -> Any:
    """The value of parameter ``name`` as its rules read it: a share as an exact fraction."""
    parameter = defn.parameters[name]
    if parameter.type == "fraction":
        return as_fraction(parameter.value)
    return parameter.value
