"""`python -m checker` runs the `leaderless` console script."""

import sys

from checker.cli import main

sys.exit(main())
