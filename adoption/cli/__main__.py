"""``python -m adoption.cli``: the command line, as the ``adoption`` script runs it."""

import sys

from adoption.cli import main

sys.exit(main())
