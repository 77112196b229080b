"""Account names, SSH targets, remote command lines (quoting survives two shells)."""

import shlex

import pytest

from mailferry_runner_tgz.zmmailbox import (
    InvalidInputError,
    SshTarget,
    export_argv,
    folders_argv,
    handover_command,
    import_argv,
    parse_ssh_target,
    remote_command,
    validate_account,
    validate_system_user,
)


class TestValidateAccount:
    @pytest.mark.parametrize(
        "account",
        ["ann@example.com", "first.last+tag@sub.example.org", "Jörg@example.de",
         "3f1c9a6e-7d2b-4c1a-9e2f-0a1b2c3d4e5f", "o-brien@example.com"],
    )  # fmt: skip
    def test_real_names_pass(self, account):
        assert validate_account(account) == account

    @pytest.mark.parametrize(
        ("account", "why"),
        [
            ("", "empty"),
            ("-z", "starts with '-'"),
            ("--help", "starts with '-'"),
            ("ann example", "' '"),
            ("ann\texample", "'\\t'"),
            ("ann\r\n", "'\\r'"),
            ("o'brien@example.com", '"\'"'),
            ('a"b', "'\"'"),
            ("a`id`", "'`'"),
            ("a$(id)", "'$'"),
            ("a;id", "';'"),
            ("a|id", "'|'"),
            ("a&id", "'&'"),
            ("a>f", "'>'"),
            ("a\\b", "'\\\\'"),
            ("a\x00b", "'\\x00'"),
            ("x" * 321, "longer than 320"),
        ],
    )
    def test_hostile_names_are_refused_naming_the_problem(self, account, why):
        with pytest.raises(InvalidInputError) as caught:
            validate_account(account)
        assert why in str(caught.value)


class TestSshTarget:
    @pytest.mark.parametrize(
        ("text", "target"),
        [
            ("root@mail.example.com", SshTarget("root", "mail.example.com", 22)),
            ("zimbra@10.0.0.5:2222", SshTarget("zimbra", "10.0.0.5", 2222)),
            ("root@[2001:db8::1]:22", SshTarget("root", "2001:db8::1", 22)),
            (" root@h ", SshTarget("root", "h", 22)),
        ],
    )
    def test_parse(self, text, target):
        assert parse_ssh_target(text) == target

    @pytest.mark.parametrize(
        "text",
        [
            "mail.example.com",
            "root@",
            "@host",
            "root@host:99999",
            "root@host:x",
            "-oProxyCommand=x@h",
        ],
    )
    def test_refused(self, text):
        with pytest.raises(InvalidInputError):
            parse_ssh_target(text)


class TestCommands:
    def test_argv_follow_design(self):
        assert export_argv("a@b") == [
            "zmmailbox",
            "-z",
            "-m",
            "a@b",
            "-t",
            "0",
            "getRestURL",
            "/?fmt=tgz",
        ]
        assert import_argv("a@b", "/srv/x/mailbox.tgz")[-3:] == [
            "postRestURL",
            "/?fmt=tgz&resolve=skip",
            "/srv/x/mailbox.tgz",
        ]
        assert folders_argv("a@b") == ["zmmailbox", "-z", "-m", "a@b", "getAllFolders"]

    def test_as_the_login_user_the_command_runs_directly(self):
        assert remote_command(export_argv("a@b"), "zimbra", "zimbra") == (
            "zmmailbox -z -m a@b -t 0 getRestURL '/?fmt=tgz'"
        )

    def test_as_root_it_goes_through_su_and_survives_both_shells(self):
        argv = import_argv("a@b", "/srv/x/mailbox.tgz")
        command = remote_command(argv, "zimbra", "root")
        outer = shlex.split(command)
        assert outer[:4] == ["su", "-", "zimbra", "-c"]
        assert shlex.split(outer[4]) == argv

    def test_handover_gives_the_files_to_the_zimbra_user_first(self):
        command = handover_command(["/srv/d", "/srv/d/f"], "zimbra", "root", "RUN")
        assert command == "chown zimbra /srv/d /srv/d/f && RUN"
        assert handover_command(["/srv/d"], "zimbra", "zimbra", "RUN") == "RUN"

    @pytest.mark.parametrize("user", ["", "Zimbra", "zim bra", "-r", "root;id", "a" * 33])
    def test_system_user_is_checked(self, user):
        with pytest.raises(InvalidInputError):
            validate_system_user(user)
