import pytest
from nats.aio.msg import Msg

from mailferry_projector.consumer import sequence_of


def delivered(reply: str) -> Msg:
    return Msg(None, subject="migration.events.job.x.JobCreated", reply=reply)  # type: ignore[arg-type]


class TestSequenceOf:
    @pytest.mark.parametrize(
        "reply",
        [
            "$JS.ACK.MIGRATION_EVENTS.projector.1.4711.12.1763769600000000000.3",
            "$JS.ACK._.ACCHASH.MIGRATION_EVENTS.projector.2.4711.13.1763769600000000000.0.tok",
            "$JS.ACK.hub.ACCHASH.MIGRATION_EVENTS.projector.1.4711.12.1763769600000000000.9",
        ],
    )
    def test_it_is_the_stream_sequence_nats_py_reads_from_the_reply(self, reply):
        msg = delivered(reply)

        assert sequence_of(msg) == 4711 == delivered(reply).metadata.sequence.stream
