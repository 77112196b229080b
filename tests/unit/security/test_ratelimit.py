from mailferry_api.auth.ratelimit import RateLimiter


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestRateLimiter:
    def test_the_limit_per_key_per_window(self):
        clock = _Clock()
        limiter = RateLimiter(3, window_s=60, clock=clock)
        assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
        assert limiter.hit("a") == 60
        assert limiter.hit("b") == 0
        clock.now = 61
        assert limiter.hit("a") == 0
