import sys

from mailferry_devstack.cli import main

sys.exit(main())
