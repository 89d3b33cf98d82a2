"""sightings: a memo may hold a key from the process's first file, or once an earlier file showed it;
repeats within one file never count; the record of earlier files has a fixed size."""

import pytest

from xlperf import memo, sightings


@pytest.fixture(autouse=True)
def fresh():
    sightings.reset()
    yield
    sightings.reset()


def test_the_first_file_holds_everything_it_meets():
    sightings.next_file()
    assert sightings.worth_holding(b"<c r='A1'><v>1</v></c>") and sightings.worth_holding(("x", 1))


def test_a_key_is_held_only_once_an_earlier_file_showed_it():
    sightings.next_file()  # the first file
    sightings.next_file()
    key = b"a unit's own sheet"
    assert not sightings.worth_holding(key)
    assert not sightings.worth_holding(key)  # the same file reads it again: still its own
    sightings.next_file()
    assert sightings.worth_holding(key)  # a later file shows it again
    assert not sightings.worth_holding(b"another unit's own sheet")


def test_reset_makes_the_next_file_the_first_again():
    for _ in range(3):
        sightings.next_file()
    assert not sightings.worth_holding("new")
    sightings.reset()
    sightings.next_file()
    assert sightings.worth_holding("new")


def test_the_record_of_earlier_files_stays_the_same_size(monkeypatch):
    monkeypatch.setattr(sightings, "_FULL", 64)
    size = len(sightings._earlier)
    sightings.next_file()
    for k in range(50):
        sightings.next_file()
        for j in range(10):
            sightings.worth_holding(f"unit {k} key {j}")
        assert sightings._set <= 64 + 20 and len(sightings._earlier) == size
    assert len(sightings._now) <= 20
    assert sightings.worth_holding("unit 49 key 3") is False  # still this file's
    sightings.next_file()
    assert sightings.worth_holding("unit 49 key 3")  # kept across the start afresh: the latest file's


def test_a_file_keeps_its_own_answers_until_the_next_one_begins():
    calls = []

    @memo.remembered(16, lambda text: len(text) <= 8)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    sightings.next_file()
    sightings.next_file()  # past the first file: "own" is met here for the first time
    assert [shout("own"), shout("own")] == ["OWN", "OWN"] and calls == ["own"]  # worked out once in the file
    sightings.next_file()
    assert shout("own") == "OWN" and calls == ["own", "own"]  # not kept past its file, now seen again ...
    sightings.next_file()
    assert shout("own") == "OWN" and calls == ["own", "own"]  # ... so held for good
    assert shout.cache_info().currsize == 1
