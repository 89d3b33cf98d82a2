"""How figures appear in texts a person reads.

A rate beside a band edge is shown with as many decimals as it takes to stay on its own
side of that edge (89.995 % is never printed as 90.00 % next to "[80%, 90%)"); points are
shown as the score sheet shows them (two decimals, half up); every other number is in
plain notation with the precision it was given (50, never 5E+1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from .money import HUNDRED, points as display_points, round_half_up

Test = Callable[[Decimal], bool]
# Two decimals of a percentage, as 计算指标 shows rates; more only where an edge needs them.
RATE_PLACES = 2
MAX_PLACES = 12


def plain(value: Decimal | int) -> str:
    """Plain notation with the precision given: Decimal('5E+1') → '50', Decimal('50.50') → '50.50'."""
    if isinstance(value, int):
        return str(value)
    return format(value, "f")


def exact(value: Decimal) -> str:
    """Plain notation without trailing zeros: a parameter as written in the system file (0.5, 90)."""
    return format(value.normalize(), "f") if value else "0"


def points_text(value: Decimal) -> str:
    """Points as the score sheet shows them: 4.2 → '4.20'."""
    return str(display_points(value))


def lost_text(value: Decimal) -> str:
    """Two decimals, but never '0.00' for what is not nothing: points lost, percentage points beyond."""
    return plain(keep_side(value, 2, (lambda x: x > 0,)))


def keep_side(value: Decimal, places: int, tests: Iterable[Test]) -> Decimal:
    """``value`` rounded half up to ``places`` decimals or more, until every test agrees with the exact value."""
    tests = list(tests)
    want = [t(value) for t in tests]
    for p in range(places, MAX_PLACES + 1):
        shown = round_half_up(value, p)
        if [t(shown) for t in tests] == want:
            return shown
    return value


def rate_text(rate: Decimal, tests: Iterable[Test] = ()) -> str:
    """A rate as a percentage, on the same side of every edge the tests name: 0.89995 → '89.995%'."""
    pct_tests = [lambda x, t=t: t(x / HUNDRED) for t in tests]
    return f"{plain(keep_side(rate * HUNDRED, RATE_PLACES, pct_tests))}%"


def edge_text(rate: Decimal) -> str:
    """A band edge from the system file, exactly: 0.9 → '90%', 0.333 → '33.3%'."""
    return f"{exact(rate * HUNDRED)}%"
