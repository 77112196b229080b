"""The gate speaks only when something changed, with ids that a repeat cannot duplicate."""

from mailferry_contracts.common import CheckName, GateState, Phase
from mailferry_contracts.jobs import JobNotesUpdated
from mailferry_gate.announcements import notification_id_for
from mailferry_gate.decisions import decide
from tests.unit.gate.scenario import JOB, GateLog


def ready() -> GateLog:
    log = GateLog()
    log.healthy()
    log.approve()
    return log


class TestDecide:
    def test_a_settled_job_has_nothing_more_to_say(self):
        log = ready()
        assert decide(log.job_state, log.policy, log.now()).events == ()

    def test_the_same_state_decides_the_same_ids(self):
        log = GateLog()
        log.healthy()
        log.settle()
        log.acting = False
        log.verify("alice@example.com", [("INBOX", 120, 119, "inbox")])
        one = decide(log.job_state, log.policy, log.now())
        two = decide(log.job_state, log.policy, log.now())
        assert [e.id for e in one.events] == [e.id for e in two.events]
        assert one.events[0].payload.evaluation_id == one.events[0].id

    def test_facts_that_change_no_check_publish_nothing(self):
        log = ready()
        count = len(log.evaluations())
        log.verify("alice@example.com")
        log.give(JobNotesUpdated(notes="weekend window"), JOB)
        assert len(log.evaluations()) == count

    def test_the_gate_evaluation_records_the_previous_gate(self):
        log = ready()
        latest = log.latest_evaluation()
        assert (latest.previous_gate, latest.gate) == (GateState.WARNING, GateState.READY_FOR_DNS)

    def test_the_gate_events_are_authored_by_the_gate_in_the_flow_of_their_cause(self):
        log = ready()
        approval = log.of_type("GateApproved")[-1]
        evaluated = log.of_type("GateEvaluated")[-1]
        assert evaluated.actor.user == "gate"
        assert evaluated.causation_id == approval.id
        assert evaluated.correlation_id == approval.correlation_id


class TestAnnouncement:
    def test_ready_is_announced_once_with_the_wizards_payload(self):
        log = ready()
        [notification] = log.notifications
        [announced] = log.of_type("GateReadyAnnounced")
        evaluation = log.latest_evaluation()
        assert announced.payload.evaluation_id == evaluation.evaluation_id
        assert notification.notification_id == notification_id_for(evaluation.evaluation_id)
        assert notification.notification_id == announced.payload.notification_id
        assert (notification.job_id, notification.domain) == (JOB, "example.com")
        assert notification.phase == Phase.CUTOVER_READY
        assert notification.approved_by == "lead@example.com"
        assert notification.overridden is False
        assert [c.name for c in notification.checks] == list(CheckName)

    def test_an_override_is_announced_as_overridden(self):
        log = GateLog()
        log.job().mailboxes("alice@example.com").override("customer signed off")
        [notification] = log.notifications
        assert notification.overridden is True
        assert notification.approved_by == "admin@example.com"

    def test_a_new_ready_after_a_drop_is_announced_again(self):
        log = ready()
        log.delta("alice@example.com").verify("alice@example.com")
        log.approve()
        assert len(log.notifications) == 2
        assert len({n.notification_id for n in log.notifications}) == 2

    def test_a_closed_job_is_not_announced(self):
        log = GateLog()
        log.healthy()
        log.close()
        log.approve()
        assert log.notifications == []
