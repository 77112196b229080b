from mailferry_api.logs.lines import Chunk, LineSplitter, tail


def chunk(text: str, attempt: int = 1, sequence: int = 1) -> Chunk:
    return Chunk(sequence=sequence, attempt=attempt, text=text)


class TestTail:
    def test_the_last_lines_across_chunks_and_the_total(self):
        lines, total = tail([chunk("a\nb\n"), chunk("c\nd\n")], 3)
        assert (lines, total) == (["b", "c", "d"], 4)

    def test_a_new_attempt_is_marked_once(self):
        lines, _ = tail([chunk("a\n"), chunk("b\n", attempt=2), chunk("c\n", attempt=2)], 10)
        assert lines == ["a", "--- attempt 2 ---", "b", "c"]

    def test_a_log_that_starts_at_a_retry_says_so(self):
        assert LineSplitter().lines(chunk("x\n", attempt=3)) == ["--- attempt 3 ---", "x"]

    def test_an_empty_log_has_no_lines(self):
        assert tail([], 5) == ([], 0)
