"""The windowed URL cache: same URL within a window, a new one after, lifetime kept, size bounded."""

import threading

from hypothesis import given
from hypothesis import strategies as st

from thumbrouter.router.urlcache import MAX_SIGNED_LIFETIME, UrlCache, window_for, window_length

from .conftest import FakeClock

T0 = 1_800_000_000  # a multiple of 360, so the 3600 s lifetime's window starts here


def counting_signer():
    calls = []

    def sign(window):
        calls.append(window)
        return f"url-signed-at-{window.signed_at}-until-{window.expires_at}"

    return sign, calls


def test_the_same_request_within_a_window_returns_the_same_url():
    clock = FakeClock(T0)
    cache = UrlCache(100, clock)
    sign, calls = counting_signer()
    first = cache.get_or_sign("k", 3600, sign)
    clock.advance(359)
    assert cache.get_or_sign("k", 3600, sign) == first
    assert len(calls) == 1 and (cache.hits, cache.misses) == (1, 1)


def test_a_new_window_signs_a_new_url():
    clock = FakeClock(T0 + 359)
    cache = UrlCache(100, clock)
    sign, calls = counting_signer()
    first = cache.get_or_sign("k", 3600, sign)
    clock.advance(1)
    assert cache.get_or_sign("k", 3600, sign) != first and len(calls) == 2


def test_every_answer_has_at_least_the_requested_lifetime_left():
    for lifetime in (60, 61, 3600, 86_400, MAX_SIGNED_LIFETIME - 1, MAX_SIGNED_LIFETIME):
        for now in range(T0, T0 + 4000, 7):
            window = window_for(lifetime, now)
            assert window.signed_at <= now
            assert window.expires_at - now >= lifetime
            assert window.lifetime <= MAX_SIGNED_LIFETIME


def test_windows_are_a_tenth_of_the_lifetime_at_most_an_hour():
    assert [window_length(v) for v in (60, 3600, 86_400, MAX_SIGNED_LIFETIME)] == [6, 360, 3600, 0]


def test_different_lifetimes_do_not_share_an_entry():
    cache = UrlCache(100, FakeClock(T0))
    sign, calls = counting_signer()
    cache.get_or_sign(("k", 3600), 3600, sign)
    cache.get_or_sign(("k", 7200), 7200, sign)
    assert len(calls) == 2


def test_the_cache_is_bounded_and_evicts_the_least_recently_used():
    cache = UrlCache(3, FakeClock(T0))
    sign, calls = counting_signer()
    for key in ("a", "b", "c"):
        cache.get_or_sign(key, 3600, sign)
    cache.get_or_sign("a", 3600, sign)          # a is now the most recent
    cache.get_or_sign("d", 3600, sign)          # evicts b
    assert len(cache) == 3
    cache.get_or_sign("a", 3600, sign)
    cache.get_or_sign("b", 3600, sign)
    assert len(calls) == 5 and len(cache) == 3


def test_size_zero_disables_caching():
    cache = UrlCache(0, FakeClock(T0))
    sign, calls = counting_signer()
    cache.get_or_sign("k", 3600, sign)
    cache.get_or_sign("k", 3600, sign)
    assert len(calls) == 2 and len(cache) == 0


def test_concurrent_callers_get_one_url_and_the_bound_holds():
    cache = UrlCache(50, FakeClock(T0))
    sign, _ = counting_signer()
    results: list[str] = []

    def work(worker: int):
        for i in range(200):
            results.append(cache.get_or_sign(f"k{(i * 7 + worker) % 80}", 3600, sign))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(cache) <= 50


@given(lifetime=st.integers(60, MAX_SIGNED_LIFETIME), now=st.integers(1_000_000_000, 4_000_000_000))
def test_any_window_covers_the_lifetime_from_any_instant_in_it(lifetime, now):
    window = window_for(lifetime, now)
    assert window.signed_at <= now < window.signed_at + max(window_length(lifetime), 1)
    assert window.expires_at - now >= lifetime and window.lifetime <= MAX_SIGNED_LIFETIME
