"""``python -m nncore.workers <trainer|inference|forkserver> <fd>``: a process started by the app.

Normally only the fork server is started this way, and it forks the trainers and the inference
worker (``forkserver``); a worker started directly is the fallback when forking fails. The
worker's module is imported by its own name (not run as ``__main__``), so the objects it sends
back unpickle in the server as ``nncore.workers.<kind>.<Class>``.
"""

import contextlib
import importlib
import sys

from nncore.workers.process import worker_connection

KINDS = ("trainer", "inference", "forkserver")

if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
    sys.exit(f"usage: python -m nncore.workers <{'|'.join(KINDS)}> <fd>")
# The server going away (stopped or restarted) ends its worker quietly.
with contextlib.suppress(BrokenPipeError, EOFError, KeyboardInterrupt):
    importlib.import_module(f"nncore.workers.{sys.argv[1]}").serve(worker_connection(sys.argv[2]))
