"""A stand-in service for the supervisor tests, run as ``python -m`` like the real ones.

It behaves according to its name, which it reads from the work dir the supervisor gives it
(``MIGRATION_DATA_PATH=.../services/<name>``): ``crashy`` exits with code 3 on its first start,
``stubborn`` ignores SIGTERM. Every one of them starts a grandchild (``sleep``) in its process
group, serves ``/healthz`` and logs a greeting.
"""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from mailferry_bus.health import HealthServer

CRASH_CODE = 3


async def main() -> int:
    work = Path(os.environ["MIGRATION_DATA_PATH"])
    name = work.name
    sys.stdout.write(f"hello from {name}\n")
    if name == "crashy" and not (work / "crashed-once").exists():
        (work / "crashed-once").touch()
        sys.stdout.write("crashing on purpose\n")
        return CRASH_CODE
    stop = asyncio.Event()
    if name == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    grandchild = subprocess.Popen(["sleep", "3600"])
    (work / "grandchild.pid").write_text(str(grandchild.pid))
    port = int(os.environ.get("MIGRATION_HEALTH_PORT") or os.environ["MIGRATION_API_PORT"])
    async with HealthServer(lambda: {"fake": True}, port=port):
        await stop.wait()
    sys.stdout.write(f"{name} got SIGTERM\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
