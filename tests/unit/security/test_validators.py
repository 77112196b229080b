import pytest

from mailferry_contracts.validators import (
    UnsafeValueError,
    display_filename,
    folder_map_problem,
    folder_problem,
    host_problem,
    require_safe,
    require_safe_folders,
    username_problem,
)


class TestToolArguments:
    @pytest.mark.parametrize(
        "value",
        ["--oauthaccesstoken=x", "-oProxyCommand=sh", "a\r\nb", "a\nb", "nul\x00", "bell\x07"],
        ids=["long-option", "short-option", "crlf", "lf", "nul", "control"],
    )
    def test_usernames_that_would_break_a_tool_are_refused(self, value):
        assert username_problem(value) is not None

    @pytest.mark.parametrize("value", ["alice", "alice@example.com", "DOMAIN\\alice", "a-b"])
    def test_ordinary_usernames_pass(self, value):
        assert username_problem(value) is None

    @pytest.mark.parametrize("value", ["-host", "host\r\n", "", "a b", "bad_label-.example"])
    def test_bad_hosts(self, value):
        assert host_problem(value) is not None

    def test_folders_may_not_start_with_a_dash_but_a_regex_escapes_it(self):
        assert folder_problem("--delete2") is not None
        assert folder_problem(r"\-archive") is None
        assert folder_map_problem({"Sent Items": "-Sent"}) is not None

    def test_require_safe_names_the_field(self):
        with pytest.raises(UnsafeValueError, match=r"source_user starts with '-'"):
            require_safe("source_user", "--help", username_problem)
        assert require_safe("source_user", "alice", username_problem) == "alice"
        with pytest.raises(UnsafeValueError, match="exclude_folders"):
            require_safe_folders("exclude_folders", ["INBOX", "-x"])


class TestDisplayFilename:
    @pytest.mark.parametrize(
        ("name", "shown"),
        [("../../etc/passwd", "passwd"), ("C:\\Users\\a\\mail.pst", "mail.pst"),
         (".hidden.pst", "hidden.pst"), ("a\x00b\r\n.pst", "ab.pst"), (None, "upload"),
         ("..", "upload")],
    )  # fmt: skip
    def test_only_a_last_component_without_control_characters(self, name, shown):
        assert display_filename(name) == shown
