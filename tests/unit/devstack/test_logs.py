import io

from mailferry_devstack.logs import LogFormat, LogSink, decode_line


class TestDecodeLine:
    def test_line_endings_are_removed(self):
        assert decode_line(b"ready\r\n") == "ready"

    def test_undecodable_bytes_are_replaced_not_fatal(self):
        assert decode_line(b"caf\xe9\n") == "caf\ufffd"


class TestLogFormat:
    def test_names_are_padded_to_the_longest(self):
        fmt = LogFormat.for_names(["api", "runner-imap"], color=False)

        assert fmt.format("api", "listening") == "api         | listening"
        assert fmt.format("runner-imap", "idle") == "runner-imap | idle"

    def test_an_empty_line_keeps_only_the_prefix(self):
        assert LogFormat(width=3).format("api", "") == "api |"

    def test_color_wraps_only_the_prefix_and_is_stable_per_name(self):
        fmt = LogFormat(width=3, color=True)

        first, second = fmt.format("api", "x"), fmt.format("api", "y")

        assert first.startswith("\x1b[")
        assert first.endswith("\x1b[0m x")
        assert first[:-1] == second[:-1]


def test_the_sink_writes_one_prefixed_line_per_call():
    out = io.StringIO()
    sink = LogSink(out, LogFormat(width=4))

    sink.write("gate", "evaluated")
    sink.write("api", "ok")

    assert out.getvalue() == "gate | evaluated\napi  | ok\n"
