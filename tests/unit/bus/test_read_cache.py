from mailferry_bus.event_store import StoredEvent
from mailferry_bus.read_cache import ReadCache


def events(size: int, count: int = 1) -> list[StoredEvent]:
    return [StoredEvent(i + 1, "s", b"x" * size, None) for i in range(count)]  # type: ignore[arg-type]


class TestReadCache:
    def test_the_least_recently_read_filter_goes_first_when_full(self):
        cache = ReadCache(max_bytes=300)
        cache.put("a", events(100))
        cache.put("b", events(100))
        cache.get("a")
        cache.put("c", events(150))

        assert (cache.get("a") != [], cache.get("b"), cache.get("c") != []) == (True, [], True)

    def test_a_filter_larger_than_the_whole_cache_is_not_kept(self):
        cache = ReadCache(max_bytes=100)
        cache.put("a", events(50))
        cache.put("big", events(60, count=2))

        assert cache.get("big") == []
        assert len(cache.get("a")) == 1

    def test_putting_a_filter_again_replaces_it(self):
        cache = ReadCache(max_bytes=1000)
        cache.put("a", events(100))
        cache.put("a", events(100, count=3))
        cache.put("b", events(600))

        assert [len(cache.get("a")), len(cache.get("b"))] == [3, 1]
