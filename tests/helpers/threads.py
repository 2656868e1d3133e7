"""Several requests at the same moment: real threads, each with its own database connection."""

import threading

import pytest
from django.db import connection


def needs_real_database():
    """Races need a database that several connections share; the in-memory SQLite of the tests is one per
    connection. `make test` runs these on PostgreSQL."""
    return pytest.mark.skipif(connection.vendor == "sqlite",
                              reason="races need a database shared by several connections (PostgreSQL)")


def at_once(count: int, work) -> list:
    """Run ``work(i)`` in `count` threads released together; the results in order (errors re-raised)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results
