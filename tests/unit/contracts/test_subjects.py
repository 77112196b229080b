import pytest

from mailferry_contracts import subjects


def test_event_subject_puts_the_snake_type_last():
    assert (
        subjects.event_subject("job", "j1", "GateEvaluated")
        == "migration.events.job.j1.gate_evaluated"
    )


def test_aggregate_wildcard_covers_its_event_subjects():
    assert subjects.aggregate_subjects("run", "r1") == "migration.events.run.r1.*"


@pytest.mark.parametrize("bad", ["a.b", "*", ">", "", "a b"])
def test_ids_that_would_break_the_subject_tree_are_refused(bad):
    with pytest.raises(ValueError, match="subject token"):
        subjects.event_subject("job", bad, "JobCreated")
