"""outputs_hash: the digest the audit stamp records, computed as its definition says, memo or not."""

from decimal import Decimal
from hashlib import sha256

from xlperf.book.outputs import outputs_hash


def by_definition(cells) -> str:
    text = ""
    for sheet in sorted(cells):
        for (r, c) in sorted(cells[sheet]):
            v = cells[sheet][(r, c)]
            shown = ("" if v is None else "TRUE" if v is True else "FALSE" if v is False else
                     format(v.normalize(), "f") if isinstance(v, Decimal) else str(v))
            text += f"{sheet}\x1f{r}\x1f{c}\x1f{shown}\x1e"
    return sha256(text.encode()).hexdigest()


def test_the_digest_follows_its_definition_and_changes_with_any_cell():
    cells = {"评分表": {(3, 9): Decimal("1.890"), (2, 9): "理由", (4, 9): None}, "校验结果": {(5, 1): True}}
    assert outputs_hash(cells) == by_definition(cells)
    # The same sheets with other cells: the remembered positions must not be reused.
    moved = {"评分表": {(3, 9): Decimal("1.89"), (7, 2): "x"}, "校验结果": {(5, 1): False, (5, 2): 0}}
    assert outputs_hash(moved) == by_definition(moved)
    assert outputs_hash(cells) == by_definition(cells)
    assert outputs_hash(cells) != outputs_hash({**cells, "校验结果": {(5, 1): False}})
    # The same cells written in another order: the positions remembered by that order must not be reused.
    reordered = {sheet: dict(reversed(list(values.items()))) for sheet, values in cells.items()}
    assert outputs_hash(reordered) == by_definition(cells)
    assert outputs_hash({**moved, "空": {}}) == by_definition(moved)  # a sheet with no output cells adds nothing
