import json
import subprocess
import sys

import pytest

from mailferry_devstack.corpus import CorpusSpec

pytestmark = pytest.mark.integration

HUGE = 25_000_000
CHILD = """
import asyncio, json, sys
from mailferry_imap import Endpoint, sync_mailbox

def rss_kb():
    # VmHWM (peak RSS) starts afresh at exec, unlike ru_maxrss which keeps the parent's.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

job = json.loads(sys.stdin.read())
baseline = rss_kb()
report = asyncio.run(sync_mailbox(Endpoint(**job["source"]), Endpoint(**job["destination"])))
print(json.dumps({"status": report.status, "transferred": report.stats.transferred,
                  "baseline_kb": baseline, "peak_kb": rss_kb(), "error": report.error_message}))
"""


def endpoint_json(endpoint):
    data = endpoint.model_dump()
    data["secret"] = endpoint.secret.get_secret_value()
    return data


class TestStreaming:
    def test_a_25_mb_message_is_copied_with_bounded_memory(self, mailbox_pair):
        """The copy runs in a child process so its peak RSS is the engine's alone.

        Passwords reach it on stdin, never in its arguments.
        """
        mailbox_pair.fill_source(CorpusSpec(messages=20, total_bytes=1_000_000, huge_bytes=HUGE))
        job = {
            "source": endpoint_json(mailbox_pair.source()),
            "destination": endpoint_json(mailbox_pair.destination()),
        }
        child = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        result = json.loads(child.stdout)
        assert result["status"] == "success", result["error"]
        assert result["transferred"] == 21
        growth_mb = (result["peak_kb"] - result["baseline_kb"]) / 1024
        assert growth_mb < 16, f"peak RSS grew by {growth_mb:.1f} MB"
        assert result["peak_kb"] / 1024 < 80
        biggest = max(m.size for m in mailbox_pair.read_destination().folders["INBOX"])
        assert biggest > HUGE
