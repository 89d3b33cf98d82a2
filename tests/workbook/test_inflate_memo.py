"""Members remembered by their compressed bytes (inflatememo): a hit is exactly what inflating gives,
only bytes seen twice are held, damage is refused however often good bytes came before, and the
memo stays within its bounds."""

import io
import zipfile

import pytest

from test_zip_inflate import BODY, DAMAGES, archive, read_both
from xlperf.workbook import inflatememo
from xlperf.workbook.zipraw import inflate_member


@pytest.fixture(autouse=True)
def fresh():
    inflatememo.clear()
    yield
    inflatememo.clear()


def member(blob):
    return zipfile.ZipFile(io.BytesIO(bytes(blob))).infolist()[0]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_repeated_member_is_held_from_its_second_sighting_and_read_as_the_same_object(method):
    blob = bytes(archive(method))
    info = member(blob)
    first = inflate_member(blob, info)
    assert first == BODY and not inflatememo._held  # once: only its hash is recorded
    second = inflate_member(blob, info)
    assert second == BODY and len(inflatememo._held) == 1
    third = inflate_member(bytes(archive(method)), member(blob))  # another file with the same member
    assert third == BODY and third is second  # the held object: content memos keyed by it hit at once


def test_a_member_of_other_bytes_is_inflated_for_itself():
    for _ in range(2):
        inflate_member(bytes(archive()), member(archive()))
    other = BODY.replace(b"<row/>", b"<row r='1'/>", 1)
    blob = bytes(archive(body=other))
    assert inflate_member(blob, member(blob)) == other


@pytest.mark.parametrize("damage", DAMAGES)
def test_damage_is_refused_after_the_good_member_was_held(damage):
    good = bytes(archive())
    for _ in range(3):
        assert inflate_member(good, member(good)) == BODY
    assert inflatememo._held
    for _ in range(3):  # a refusal is never remembered either
        assert read_both(damage(archive())) == ("refused", "refused")


def test_the_memo_stays_within_its_bounds(monkeypatch):
    monkeypatch.setattr(inflatememo, "MAX_HELD", 3 * len(BODY))
    monkeypatch.setattr(inflatememo, "MAX_SEEN", 5)
    for k in range(20):
        body = BODY + b"<!--%d-->" % k
        blob = bytes(archive(body=body))
        for _ in range(2):
            assert inflate_member(blob, member(blob)) == body
        assert inflatememo._held_bytes <= 3 * len(BODY) and len(inflatememo._seen) <= 5
        assert inflatememo._held_bytes == sum(len(k[0]) + len(v) for k, v in inflatememo._held.items())


def test_a_large_member_is_never_held(monkeypatch):
    monkeypatch.setattr(inflatememo, "MAX_PART", len(BODY) - 1)
    blob = bytes(archive())
    for _ in range(3):
        assert inflate_member(blob, member(blob)) == BODY
    assert not inflatememo._held and not inflatememo._seen
