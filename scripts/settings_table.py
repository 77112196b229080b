"""Regenerate README.md's table of MIGRATION_* settings; ``--check`` exits 1 when it is stale."""

import sys
from pathlib import Path

from mailferry_devstack.settings_table import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], Path(__file__).resolve().parent.parent / "README.md"))
