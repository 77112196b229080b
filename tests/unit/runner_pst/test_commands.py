import uuid
from typing import Any

import pytest

from mailferry_bus.runners import Selected
from mailferry_contracts.common import EngineOptions, RunType, ServerSettings, SourceType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import JobCreated, MailboxSpec, UploadStored
from mailferry_runner_pst.commands import NO_UPLOAD, build_command, run_type_for

JOB = uuid.uuid4()
RUN, REQUEST = uuid.uuid4(), uuid.uuid4()


def spec(source_type: SourceType = SourceType.PST, **changes) -> MailboxSpec:
    values = {
        "mailbox_id": uuid.uuid4(), "source_type": source_type, "source_email": "a@old.example",
        "source_user": "a", "target_email": "a@new.example", "target_user": "a-new",
        "folder_map": {"Sent Items": "Sent/PST"}, **changes,
    }  # fmt: skip
    return MailboxSpec(**values)


def view(*boxes: MailboxSpec, uploads: tuple[UploadStored, ...] = ()) -> JobView:
    created = JobCreated(
        job_id=JOB, domain="old.example", destination=ServerSettings(host="mx", port=993),
        options=EngineOptions(folder_map={"Inbox": "INBOX", "Sent Items": "Sent"}),
        concurrency_limit=3, per_host_limit=2,
    )  # fmt: skip
    job = JobView(created=created, concurrency_limit=3, per_host_limit=2)
    job.mailboxes = {b.mailbox_id: b for b in boxes}
    job.latest_upload = {u.mailbox_id: u for u in uploads}
    return job


def upload(box: MailboxSpec, kind: Any = "pst") -> UploadStored:
    return UploadStored(
        mailbox_id=box.mailbox_id, upload_id=uuid.uuid4(), kind=kind, filename="a.pst",
        size_bytes=10, sha256="a" * 64, object_name=f"uploads/{JOB}/{box.mailbox_id}/x",
    )  # fmt: skip


class TestRunTypeFor:
    @pytest.mark.parametrize(
        ("requested", "runs"),
        [
            (RunType.INITIAL, RunType.PST_UPLOAD),
            (RunType.DELTA, RunType.PST_UPLOAD),
            (RunType.FINAL, RunType.PST_UPLOAD),
            (RunType.PST_UPLOAD, RunType.PST_UPLOAD),
            (RunType.VERIFY, RunType.VERIFY),
            (RunType.PREFLIGHT, None),
            (RunType.TGZ_IMPORT, None),
        ],
    )
    def test_syncs_and_retries_import_verifies_count_preflights_do_nothing(self, requested, runs):
        assert run_type_for(requested) == runs


class TestBuildCommand:
    def test_an_initial_sync_imports_the_latest_upload(self):
        box = spec()
        stored = upload(box)
        work = build_command(view(box, uploads=(stored,)), Selected(box, RunType.INITIAL), RUN,
                             REQUEST)  # fmt: skip
        assert work is not None
        assert (work.run_type, work.upload_id, work.kind, work.object_name, work.sha256) == (
            RunType.PST_UPLOAD, stored.upload_id, "pst", stored.object_name, "a" * 64,
        )  # fmt: skip
        assert (work.target_user, work.concurrency_limit, work.per_host_limit) == ("a-new", 3, 2)

    def test_the_mailbox_folder_map_wins_over_the_job_map(self):
        box = spec()
        work = build_command(view(box), Selected(box, RunType.INITIAL), RUN, REQUEST)
        assert work is not None
        assert work.folder_map == {"Inbox": "INBOX", "Sent Items": "Sent/PST"}

    @pytest.mark.parametrize(
        ("source_type", "kind"),
        [(SourceType.PST, "pst"), (SourceType.MBOX, "mbox"), (SourceType.EML, "eml_zip")],
    )
    def test_without_an_upload_the_command_says_so(self, source_type, kind):
        box = spec(source_type)
        work = build_command(view(box), Selected(box, RunType.INITIAL), RUN, REQUEST)
        assert work is not None
        assert (work.upload_id, work.kind, work.object_name) == (NO_UPLOAD, kind, "")

    def test_a_preflight_builds_nothing(self):
        box = spec()
        assert build_command(view(box), Selected(box, RunType.PREFLIGHT), RUN, REQUEST) is None

    def test_a_verify_counts_the_upload_again(self):
        box = spec(SourceType.MBOX)
        stored = upload(box, "mbox")
        work = build_command(view(box, uploads=(stored,)), Selected(box, RunType.VERIFY), RUN,
                             REQUEST)  # fmt: skip
        assert work is not None
        assert (work.run_type, work.kind) == (RunType.VERIFY, "mbox")
