"""The web server's once-for-everyone work: its long-lived objects leave the collector's walk."""

from __future__ import annotations

import gc
import sys

from pages._ui import process


def test_long_lived_objects_are_frozen_once_per_wave_of_imports(tmp_path, monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(process, "_modules_when_frozen", 0)
    try:
        process.freeze_long_lived_objects()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the imported modules, classes and functions
        process.freeze_long_lived_objects()  # nothing new imported: nothing to do
        # At most as many: a frozen object freed meanwhile (by another thread) leaves the count.
        assert gc.get_freeze_count() <= frozen
        (tmp_path / "first_visit_module.py").write_text("TABLE = [[i] for i in range(1000)]\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        __import__("first_visit_module")  # a page visited for the first time imports more
        process.freeze_long_lived_objects()
        assert gc.get_freeze_count() >= frozen + 1000
    finally:
        gc.unfreeze()
        sys.modules.pop("first_visit_module", None)
