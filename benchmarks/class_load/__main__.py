"""``python -m benchmarks.class_load``: the simulated class (see ``runner``)."""

import sys

from benchmarks.class_load.runner import main

sys.exit(main())
