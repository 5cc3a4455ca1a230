"""What the web server process does once for every visitor, rather than per session."""

from __future__ import annotations

import gc
import sys

_modules_when_frozen = 0


def freeze_long_lived_objects() -> None:
    """Put everything alive after a wave of imports out of the garbage collector's reach.

    A full collection holds the GIL and walks every tracked object. With plotly, pandas and
    scikit-learn imported, most of those are long-lived (modules, classes, plotly's
    validators): frozen, they are skipped by Python's own collections from then on, and by
    Streamlit's after every script run where a deployment turns ``runner.postScriptGC`` back
    on (this app's config turns it off). A session's own garbage is still collected. Frozen
    again only when new modules were imported (a page visited first).
    """
    global _modules_when_frozen
    if len(sys.modules) > _modules_when_frozen:
        _modules_when_frozen = len(sys.modules)
        gc.collect()
        gc.freeze()
