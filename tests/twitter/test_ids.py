import multiprocessing
import time
from multiprocessing.synchronize import Event

import pytest

from twitter import id_worker, ids
from twitter.ids import SnowflakeGenerator, id_timestamp_ms

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis


def test_ids_increase_and_never_repeat_in_one_generator() -> None:
    generator = SnowflakeGenerator(worker_id=7)
    made = [generator.next_id() for _ in range(50_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_id_layout_carries_time_and_worker() -> None:
    before = time.time_ns() // 1_000_000
    snowflake = SnowflakeGenerator(worker_id=513).next_id()
    after = time.time_ns() // 1_000_000
    assert before <= id_timestamp_ms(snowflake) <= after
    assert (snowflake >> ids.SEQUENCE_BITS) & ids.MAX_WORKER_ID == 513
    assert 0 < snowflake <= ids.MAX_ID


def test_sequence_exhaustion_moves_to_the_next_millisecond() -> None:
    ticks = iter([ids.EPOCH_MS + 1000] * (ids.MAX_SEQUENCE + 3) + [ids.EPOCH_MS + 1001] * 10)
    generator = SnowflakeGenerator(worker_id=1, clock=lambda: next(ticks))
    made = [generator.next_id() for _ in range(ids.MAX_SEQUENCE + 2)]
    assert len(set(made)) == len(made)
    assert id_timestamp_ms(made[-1]) == ids.EPOCH_MS + 1001


def test_clock_stepping_back_does_not_repeat_ids() -> None:
    ticks = iter([ids.EPOCH_MS + 5000, ids.EPOCH_MS + 5000, ids.EPOCH_MS + 4000, ids.EPOCH_MS + 4000])
    generator = SnowflakeGenerator(worker_id=2, clock=lambda: next(ticks))
    made = [generator.next_id() for _ in range(4)]
    assert made == sorted(made)
    assert len(set(made)) == 4


def test_worker_id_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="worker id"):
        SnowflakeGenerator(worker_id=ids.MAX_WORKER_ID + 1)


def _make_ids(count: int, queue: "multiprocessing.Queue[tuple[int, list[int]]]", done: Event) -> None:
    made = [ids.new_id() for _ in range(count)]
    queue.put((id_worker.current_worker_id(), made))
    done.wait(60)  # hold the lease until every process has reported: a released id may be leased again
    id_worker.release()


@pytest.mark.django_db
def test_processes_lease_distinct_worker_ids_and_make_distinct_ids() -> None:
    parent_worker = id_worker.current_worker_id()
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[int, list[int]]] = context.Queue()
    done = context.Event()
    processes = [context.Process(target=_make_ids, args=(20_000, queue, done)) for _ in range(4)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=60) for _ in processes]
    done.set()
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    workers = {parent_worker, *(worker for worker, _ in results)}
    assert len(workers) == 5  # every process, the parent included, holds its own worker id
    every_id = [snowflake for _, made in results for snowflake in made]
    assert len(set(every_id)) == len(every_id) == 80_000


@pytest.mark.django_db
def test_a_released_worker_id_can_be_leased_again() -> None:
    first = id_worker.current_worker_id()
    id_worker.release()
    with id_worker.psycopg.connect(id_worker._conninfo(), autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s, %s)", (id_worker.LOCK_NAMESPACE, first)).fetchone()
        assert row is not None
        assert row[0] is True
