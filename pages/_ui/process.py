"""What the web server process does once for every visitor, rather than per session."""

from __future__ import annotations

import gc
import sys

_modules_when_frozen = 0


def freeze_long_lived_objects() -> None:
    """Put everything alive after a wave of imports out of the garbage collector's reach.

    Streamlit runs a full ``gc.collect()`` after every script run (``runner.postScriptGC``),
    holding the GIL. With plotly, pandas and scikit-learn imported that walks every long-lived
    object (the cost is in benchmarks/README.md), for every rerun of every visitor: a
    classroom's slider moves and strokes queued behind each other's collections. Frozen objects (modules,
    classes, plotly's validators) are skipped from then on; a session's own garbage is still
    collected. Frozen again only when new modules were imported (a page visited first).
    """
    global _modules_when_frozen
    if len(sys.modules) > _modules_when_frozen:
        _modules_when_frozen = len(sys.modules)
        gc.collect()
        gc.freeze()
