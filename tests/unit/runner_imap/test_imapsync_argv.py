from pathlib import Path

import pytest

from mailferry_contracts.common import EngineOptions, ServerSettings
from mailferry_contracts.runs import StartSync
from mailferry_runner_imap.adapters.imapsync import RunPaths, UnsafeArgumentError, build_argv
from mailferry_runner_imap.sync import Step
from tests.fixtures.factories import EXAMPLES

PATHS = RunPaths(Path("/run/x"))


def _work(**changes) -> StartSync:
    return StartSync.model_validate({**EXAMPLES["StartSync"], **changes})


def _argv(step=Step.SYNC, **changes) -> list[str]:
    return build_argv(Path("/usr/bin/imapsync"), _work(**changes), step, PATHS)


class TestBuildArgv:
    def test_passwords_only_by_passfile(self):
        argv = _argv()
        assert argv[argv.index("--passfile1") + 1] == "/run/x/pass1"
        assert argv[argv.index("--passfile2") + 1] == "/run/x/pass2"
        assert not [a for a in argv if a.startswith("--pass") and not a.startswith("--passfile")]

    def test_always_explicit_log_pid_tmp_and_no_release_check(self):
        argv = _argv()
        for option in ("--log", "--pidfilelocking", "--noreleasecheck"):
            assert option in argv
        assert argv[argv.index("--logdir") + 1] == "/run/x/log"
        assert argv[argv.index("--pidfile") + 1] == "/run/x/imapsync.pid"
        assert argv[argv.index("--tmpdir") + 1] == "/run/x/tmp"

    def test_a_pace_becomes_max_messages_per_second_and_none_means_no_option(self):
        paced = build_argv(Path("/usr/bin/imapsync"), _work(), Step.SYNC, PATHS, 12.5)
        assert paced[paced.index("--maxmessagespersecond") + 1] == "12.5"
        assert "--maxmessagespersecond" not in _argv()

    def test_orchestrator_options_and_errors_max(self):
        argv = _argv(options=EngineOptions(errors_max=7))
        for option in ("--automap", "--syncinternaldates", "--nofoldersizes"):
            assert option in argv
        assert argv[argv.index("--useheader") + 1] == "Message-Id"
        assert argv[argv.index("--errorsmax") + 1] == "7"

    @pytest.mark.parametrize(
        ("security", "flag"), [("ssl", "--ssl1"), ("starttls", "--tls1"), ("none", "--notls1")]
    )
    def test_security_per_side(self, security, flag):
        server = ServerSettings(host="imap.example", port=143, security=security)
        assert flag in _argv(source=server)

    def test_steps(self):
        assert "--justlogin" in _argv(Step.LOGIN)
        assert "--justfoldersizes" in _argv(Step.SIZES)
        assert "--dry" in _argv(options=EngineOptions(dry_run=True))

    def test_folders_excludes_and_map(self):
        options = EngineOptions(include_folders=["INBOX"], exclude_folders=["Trash"])
        argv = _argv(options=options, folder_map={"Sent Items": "Sent"})
        assert argv[argv.index("--folder") + 1] == "INBOX"
        assert argv[argv.index("--exclude") + 1] == "Trash"
        assert argv[argv.index("--f1f2") + 1] == "Sent Items=Sent"

    @pytest.mark.parametrize(
        "changes",
        [
            {"source_user": "--password1"},
            {"target_user": "bob\r\nx"},
            {"source": ServerSettings(host="-evil", port=993)},
            {"source": ServerSettings(host="a b", port=993)},
            {"folder_map": {"a=b": "c"}},
            {"options": EngineOptions(exclude_folders=["--delete2"])},
        ],
        ids=["user-option", "crlf", "host-option", "host-space", "map-equals", "exclude-option"],
    )
    def test_injection_is_refused(self, changes):
        with pytest.raises(UnsafeArgumentError):
            _argv(**changes)
