"""Whether a number format shows an output value as xlperf means it to be read.

xlperf writes values and leaves number formats to the template. A format changed after the fill changes
what the sheet shows and prints without changing a value: "0" on 18.89 shows 19, "0%" on 98.70 % shows
99 %. verify reads each numeric output cell's format code and asks ``misshown``. Only what a format does
to a number is modelled (decimals, percent, a literal or a date in place of the number); anything that
still shows the value to the precision xlperf prints it is fine, General included.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..engine.money import round_half_up

# The precision each kind is printed to: points and amounts to the cent, rates to 0.01 %.
PLACES = {"points": 2, "amount": 2, "count": 0, "rate": 4}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE = re.compile(r"[ymdhsYMDHS]")


def misshown(code: str, value: Decimal, kind: str) -> str | None:
    """What the format shows instead of the value, or None when it shows it faithfully."""
    section = code.split(";")[0]
    if section.strip().lower() in ("general", "@", ""):
        return None
    literals = [m.group(0) for m in _QUOTED.finditer(section) if m.group(0)[0] in '"\\']  # text, not [Red]
    bare = _QUOTED.sub("", section)
    if any(ch.isdigit() for text in literals for ch in text) or _DATE.search(bare.replace("E", "")):
        return f"格式“{code}”"  # a figure or a date in place of the number
    if not re.search(r"[0#?]", bare):
        return f"格式“{code}”"  # no number shown at all
    percent = "%" in bare
    if percent != (kind == "rate") and value != 0:
        return f"格式“{code}”"  # a score shown as a percent, or a rate as a plain number
    decimals = len(re.findall(r"[0#?]", bare.split(".", 1)[1])) if "." in bare else 0
    scale = 2 if percent else 0
    places = decimals + scale
    if places >= PLACES.get(kind, 2):
        return None  # as precise as xlperf prints it, or more
    shown = round_half_up(value, places)
    if shown != round_half_up(value, PLACES.get(kind, 2)):
        number = shown.scaleb(scale) if percent else shown
        return f"格式“{code}”，显示为 {number}{'%' if percent else ''}"
    return None
