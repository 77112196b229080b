import uuid

from mailferry_bus.runners import Selected
from mailferry_contracts.common import RunType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import JobCreated, MailboxSpec
from mailferry_contracts.runs import StartPreflight, StartSync, StartVerify
from mailferry_runner_imap.commands import build_command, source_host
from tests.fixtures.factories import EXAMPLES, SPEC


def _view() -> JobView:
    view = JobView()
    view.created = JobCreated.model_validate(EXAMPLES["JobCreated"])
    view.concurrency_limit, view.per_host_limit = 4, 2
    return view


class TestBuildCommand:
    def test_sync_carries_everything_the_runner_needs(self):
        run_id, request_id = uuid.uuid4(), uuid.uuid4()
        work = build_command(_view(), Selected(SPEC, RunType.DELTA), run_id, request_id)
        assert isinstance(work, StartSync)
        assert (work.mode, work.run_id, work.request_id) == ("delta", run_id, request_id)
        assert work.source_credential_ref == SPEC.source_credential_ref
        assert work.folder_map == {"Sent Items": "Sent"}
        assert (work.concurrency_limit, work.per_host_limit) == (4, 2)
        assert source_host(work) == "imap.old.example"

    def test_preflight_and_verify(self):
        view, ids = _view(), (uuid.uuid4(), uuid.uuid4())
        assert isinstance(
            build_command(view, Selected(SPEC, RunType.PREFLIGHT), *ids), StartPreflight
        )
        assert isinstance(build_command(view, Selected(SPEC, RunType.VERIFY), *ids), StartVerify)

    def test_upload_only_job_has_nothing_for_imap(self):
        view = _view()
        view.created = view.created.model_copy(update={"source": None})  # type: ignore[union-attr]
        spec = MailboxSpec.model_validate(SPEC.model_dump())
        assert (
            build_command(view, Selected(spec, RunType.INITIAL), uuid.uuid4(), uuid.uuid4()) is None
        )
