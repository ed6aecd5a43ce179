"""Run a function in several threads at once, each on its own database connection."""

import threading

from django.db import connections


def run_concurrently(workers: int, fn):
    """Start `fn(i)` for i in range(workers) together (barrier); return the results, fail on any error."""
    barrier = threading.Barrier(workers)
    results, errors = [None] * workers, []

    def body(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, [(e, getattr(e, "details", None)) for e in errors]
    return results
