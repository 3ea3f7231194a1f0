"""`python -m leaderless.checker` runs the `leaderless` console script."""

import sys

from leaderless.checker.cli import main

sys.exit(main())
