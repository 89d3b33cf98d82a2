"""Members remembered by their compressed bytes (inflatememo): a hit is exactly what inflating gives,
only bytes an earlier file showed are held (never a unit's own member, however often its file reads
it), damage is refused however often good bytes came before, and the memo stays within its bounds."""

import io
import zipfile

import pytest

from test_zip_inflate import BODY, DAMAGES, archive, read_both
from xlperf import sightings
from xlperf.workbook import inflatememo
from xlperf.workbook.zipraw import inflate_member


@pytest.fixture(autouse=True)
def fresh():
    inflatememo.clear()
    sightings.reset()
    sightings.next_file()
    sightings.next_file()  # past the process's first file, which holds whatever it brings
    yield
    inflatememo.clear()
    sightings.reset()


def member(blob):
    return zipfile.ZipFile(io.BytesIO(bytes(blob))).infolist()[0]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_member_another_file_showed_is_held_and_read_as_the_same_object(method):
    blob = bytes(archive(method))
    info = member(blob)
    first = inflate_member(blob, info)
    again = inflate_member(blob, info)  # the same file reads it twice: still its own
    assert first == again == BODY and not inflatememo._held
    sightings.next_file()
    second = inflate_member(blob, info)  # another file with the same member
    assert second == BODY and len(inflatememo._held) == 1
    third = inflate_member(bytes(archive(method)), member(blob))
    assert third == BODY and third is second  # the held object: content memos keyed by it hit at once


def test_the_first_file_of_a_process_holds_its_members():
    sightings.reset()
    sightings.next_file()
    blob = bytes(archive())
    assert inflate_member(blob, member(blob)) == BODY and len(inflatememo._held) == 1


def test_a_member_of_other_bytes_is_inflated_for_itself():
    for _ in range(2):
        inflate_member(bytes(archive()), member(archive()))
        sightings.next_file()
    other = BODY.replace(b"<row/>", b"<row r='1'/>", 1)
    blob = bytes(archive(body=other))
    assert inflate_member(blob, member(blob)) == other


@pytest.mark.parametrize("damage", DAMAGES)
def test_damage_is_refused_after_the_good_member_was_held(damage):
    good = bytes(archive())
    for _ in range(3):
        assert inflate_member(good, member(good)) == BODY
        sightings.next_file()
    assert inflatememo._held
    for _ in range(3):  # a refusal is never remembered either
        assert read_both(damage(archive())) == ("refused", "refused")


def test_the_memo_stays_within_its_bounds(monkeypatch):
    monkeypatch.setattr(inflatememo, "MAX_HELD", 3 * len(BODY))
    for k in range(20):
        body = BODY + b"<!--%d-->" % k
        blob = bytes(archive(body=body))
        for _ in range(2):
            assert inflate_member(blob, member(blob)) == body
            sightings.next_file()
        assert inflatememo._held and inflatememo._held_bytes <= 3 * len(BODY)
        assert inflatememo._held_bytes == sum(len(k[0]) + len(v) for k, v in inflatememo._held.items())


def test_a_large_member_is_never_held(monkeypatch):
    monkeypatch.setattr(inflatememo, "MAX_PART", len(BODY) - 1)
    blob = bytes(archive())
    for _ in range(3):
        assert inflate_member(blob, member(blob)) == BODY
        sightings.next_file()
    assert not inflatememo._held
