"""``python -m nncore.training``: train a playground network from the command line."""

import sys

from nncore.training.cli import main

sys.exit(main())
