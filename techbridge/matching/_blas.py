"""One BLAS thread for query-time vector products.

Why: a query's products are matrix-vector products over at most a few hundred megabytes, bound by
memory bandwidth, not arithmetic. OpenBLAS still splits each one over all its threads, and on a busy
two-core server (the web workers, the background encoder and the database share the cores) every split
waits for a core: measured at 1 M vectors, probing 48 IVF cells took 102 ms p50 with two BLAS threads and
7.5 ms with one (docs/benchmarks.md). Concurrent queries get their parallelism from the server's threads.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

_state: dict[str, Any] = {}
_lock = threading.Lock()


def _controller() -> Any:
    with _lock:
        if "controller" not in _state:
            from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

            controller = ThreadpoolController()
            _state["controller"] = controller if controller.select(user_api="blas").lib_controllers else None
        return _state["controller"]


def single_blas_thread() -> AbstractContextManager[Any]:
    """Context in which numpy's BLAS uses one thread (a no-op where threadpoolctl finds no BLAS)."""
    controller = _controller()
    if controller is None:
        return nullcontext()
    limited: AbstractContextManager[Any] = controller.limit(limits=1, user_api="blas")
    return limited
