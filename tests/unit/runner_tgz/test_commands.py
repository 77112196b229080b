import uuid

import pytest

from mailferry_bus.runners import Selected
from mailferry_contracts.common import EngineOptions, RunType, ServerSettings, SourceType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import JobCreated, MailboxSpec
from mailferry_contracts.runs import StartTgzMigration
from mailferry_runner_tgz.commands import build_command, source_host

SOURCE = ServerSettings(host="zimbra.old.example", port=993)
DESTINATION = ServerSettings(host="mail.new.example", port=993)


def view() -> JobView:
    job = JobView()
    job.created = JobCreated(
        job_id=uuid.uuid4(),
        domain="old.example",
        source=SOURCE,
        destination=DESTINATION,
        options=EngineOptions(folder_map={"Sent": "Job Sent"}),
        concurrency_limit=3,
        per_host_limit=2,
    )
    job.concurrency_limit, job.per_host_limit = 3, 2
    return job


SPEC = MailboxSpec(
    mailbox_id=uuid.uuid4(),
    source_type=SourceType.ZIMBRA,
    source_email="ann@old.example",
    source_user="ann@old.example",
    target_email="ann@new.example",
    target_user="ann",
    target_credential_ref=f"cred:{uuid.uuid4()}",
    folder_map={"Junk": "Spam"},
)


@pytest.mark.parametrize(
    "run_type",
    [RunType.PREFLIGHT, RunType.INITIAL, RunType.DELTA, RunType.FINAL, RunType.VERIFY,
     RunType.TGZ_EXPORT, RunType.TGZ_IMPORT],
)  # fmt: skip
def test_every_tgz_run_type_becomes_one_self_contained_command(run_type):
    run_id, request_id = uuid.uuid4(), uuid.uuid4()
    command = build_command(view(), Selected(SPEC, run_type), run_id, request_id)

    assert isinstance(command, StartTgzMigration)
    assert (command.run_id, command.request_id, command.run_type) == (run_id, request_id, run_type)
    assert (command.source, command.destination) == (SOURCE, DESTINATION)
    assert (command.source_user, command.target_user) == ("ann@old.example", "ann")
    assert command.target_credential_ref == SPEC.target_credential_ref
    assert command.folder_map == {"Sent": "Job Sent", "Junk": "Spam"}
    assert (command.concurrency_limit, command.per_host_limit) == (3, 2)


@pytest.mark.parametrize("run_type", [RunType.PST_EXTRACT, RunType.PST_UPLOAD])
def test_pst_run_types_are_not_runner_tgz_work(run_type):
    assert build_command(view(), Selected(SPEC, run_type), uuid.uuid4(), uuid.uuid4()) is None


def test_no_job_no_command():
    assert (
        build_command(JobView(), Selected(SPEC, RunType.INITIAL), uuid.uuid4(), uuid.uuid4())
        is None
    )


def test_the_per_host_limit_counts_against_the_zimbra_host():
    command = build_command(view(), Selected(SPEC, RunType.INITIAL), uuid.uuid4(), uuid.uuid4())
    assert command is not None
    assert source_host(command) == "zimbra.old.example"
    assert source_host(command.model_copy(update={"source": None})) is None
