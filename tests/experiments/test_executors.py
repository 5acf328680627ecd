"""The local process pool reads its tasks as workers free up, not all at once."""

from __future__ import annotations

from sim.experiments.executors import IN_FLIGHT_PER_WORKER, ProcessPool


def test_the_pool_reads_items_as_workers_free_up_and_returns_every_result():
    pulled = []

    def items():
        for n in range(-12, 0):
            pulled.append(n)
            yield n

    with ProcessPool(2) as pool:
        results = pool.results(abs, items())
        first = next(results)
        # By the first result: the first tasks of both workers, plus one more for the slot that freed.
        assert len(pulled) <= IN_FLIGHT_PER_WORKER * 2 + 1 < 12
        rest = list(results)
    assert sorted([first, *rest]) == sorted((n, abs(n)) for n in range(-12, 0))


def test_a_generator_that_stops_ends_the_results():
    def until_three():
        yield from (-1, -2, -3)

    with ProcessPool(2) as pool:
        assert sorted(pool.results(abs, until_three())) == [(-3, 3), (-2, 2), (-1, 1)]
