"""The shape of the code, as a newcomer relies on it: read from the source, not from a drawing.

- The web server never loads TensorFlow: every page runs without it.
- Pages reach the workers only through ``nncore.workers.client``.
- ``nncore`` never imports Streamlit, and its packages depend on each other without loops.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pages._ui.site import SITE

ROOT = Path(__file__).resolve().parents[1]
NNCORE = ROOT / "nncore"


def imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, wherever in the file (functions' own imports too)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # "from nncore.workers import client" imports the module nncore.workers.client
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def package_of(path: Path) -> str:
    """The top-level part of nncore a file belongs to (``network`` for network/plan.py)."""
    return path.relative_to(NNCORE).parts[0].removesuffix(".py")


def package_graph() -> dict[str, set[str]]:
    """Which of nncore's packages (and top-level modules) import which others."""
    graph: dict[str, set[str]] = {}
    for path in NNCORE.rglob("*.py"):
        source = package_of(path)
        targets = graph.setdefault(source, set())
        for module in imported_modules(path):
            parts = module.split(".")
            inside = parts[0] == "nncore" and len(parts) > 1 and parts[1] != source
            if inside and ((NNCORE / parts[1]).is_dir() or (NNCORE / f"{parts[1]}.py").exists()):
                targets.add(parts[1])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One loop in ``graph`` as the list of its nodes, or None (depth-first search)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state and (loop := visit(target)):
                return loop
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (loop := visit(node)):
            return loop
    return None


def test_find_cycle_sees_a_loop_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_nncore_packages_import_each_other_without_loops():
    graph = package_graph()
    assert {"network", "data", "training", "workers"} <= set(graph)  # the graph was read
    assert find_cycle(graph) is None, f"import loop: {' -> '.join(find_cycle(graph) or [])}"


def test_nncore_never_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in NNCORE.rglob("*.py")
        if any(module.split(".")[0] == "streamlit" for module in imported_modules(path))
    ]
    assert offenders == []


def test_pages_reach_the_workers_only_through_the_client():
    """Messages, pools and worker processes are the client's business; a page that imports
    them directly would couple the page to how the workers are run."""
    offenders = []
    for path in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py")]:
        for module in imported_modules(path):
            inside = module.startswith("nncore.workers.") and module != "nncore.workers.client"
            if inside or module == "nncore.workers":
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    # "from nncore.workers.client import X" also yields "nncore.workers.client.X": allowed.
    offenders = [o for o in offenders if " imports nncore.workers.client." not in o]
    assert offenders == []


@pytest.mark.parametrize("site_page", SITE, ids=lambda site_page: site_page.url_path or "home")
def test_every_page_runs_without_tensorflow(site_page):
    """A page, run in a fresh interpreter, must not load TensorFlow or Keras: once keras is in
    the server process, Streamlit clears Keras's session after every run of every visitor.
    TensorFlow belongs to the worker processes, which this check does not start (they would
    import TensorFlow in their own processes, and cost seconds of CPU for nothing here)."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from nncore.workers import client\n"
        "client.start_workers = lambda: None\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60)\n"
        f"at.switch_page({'pages/' + site_page.script!r})\n"
        "at.run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "assert at.main.children, 'the page drew nothing'\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
