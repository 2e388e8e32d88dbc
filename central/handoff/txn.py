"""Keep every database transaction inside one thread hop of the request.

Why: on SQLite every transaction takes the write lock at ``BEGIN IMMEDIATE`` (see
:mod:`central.db.base`). FastAPI runs each sync dependency, the sync endpoint and the session's
teardown as *separate* hops through a bounded thread pool. A transaction left open at the end of one
hop holds the lock while its request waits for a free thread — and under load every thread may be
waiting for that lock: a deadlock broken only by the busy timeout (``database is locked``).

So dependencies that read end their transaction before returning (:func:`end_reading`), and
endpoints are wrapped by :func:`one_hop`, which commits on return and rolls back on any exception,
in the endpoint's own hop. Both live in :mod:`central.deps` (one implementation for every router);
this module keeps the names the handoff, web and staff routers import.
"""

from __future__ import annotations

from central.deps import end_reading, one_hop

__all__ = ["end_reading", "one_hop"]
