"""remembered: answers as the function gives them; only calls the size test accepts are held."""

from xlperf.memo import remembered


def test_small_calls_are_held_and_large_ones_worked_out_every_time():
    calls = []

    @remembered(16, lambda text: len(text) <= 3)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [shout("ab"), shout("ab"), shout("abcd"), shout("abcd")] == ["AB", "AB", "ABCD", "ABCD"]
    assert calls == ["ab", "abcd", "abcd"]
    assert shout.cache_info().currsize == 1
    shout.cache_clear()
    assert shout.cache_info().currsize == 0 and shout.__name__ == "shout"
