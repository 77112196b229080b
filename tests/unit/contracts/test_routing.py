import uuid

from mailferry_contracts.common import RunnerKind, RunType, SourceType
from mailferry_contracts.routing import run_id_for, runner_kind_for


def test_every_source_type_has_a_runner():
    assert {runner_kind_for(t) for t in SourceType} == set(RunnerKind)


def test_run_ids_are_stable_across_redeliveries_and_distinct_per_run_type():
    request, mailbox = uuid.uuid4(), uuid.uuid4()
    assert run_id_for(request, mailbox, RunType.INITIAL) == run_id_for(
        request, mailbox, RunType.INITIAL
    )
    assert run_id_for(request, mailbox, RunType.INITIAL) != run_id_for(
        request, mailbox, RunType.DELTA
    )


def test_the_namespace_never_changes():
    fixed = uuid.UUID("00000000-0000-4000-8000-000000000000")
    assert str(run_id_for(fixed, fixed, RunType.INITIAL)) == "a887443d-93ed-59e3-a792-a6daa088b3c6"
