"""StreamBank: a patient's random numbers depend only on (seed, replication, locality, patient, stream).

That is what makes common random numbers work: the same draws in every arm, whoever else is in
the cohort, and however many draws a patient needs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecoord import streams
from carecoord.cohort import PatientRecord
from carecoord.model.patient import Patient
from carecoord.streams import (
    CRISIS_CLOCK,
    CRISIS_EPISODE,
    CRISIS_ROUTE,
    DEATH_CLOCK,
    ENROLMENT,
    FALL_EPISODE,
    OVERFLOW_BATCH,
    STREAM_BLOCKS,
    STREAM_KEPT,
    STREAM_NAMES,
    STREAM_REST_PIECE,
    StreamBank,
    entropy_words,
    generator,
    stream_key,
)

ALL_STREAMS = range(len(STREAM_NAMES))


def row(bank: StreamBank, locality: int, patient: int, stream: int, n: int | None = None) -> list[float]:
    """The first ``n`` draws (default: the block) of one patient's stream."""
    return list(bank.draws(locality, patient, stream, 0, n or STREAM_BLOCKS[STREAM_NAMES[stream]]))


def test_same_keys_same_draws() -> None:
    """Two banks built from the same keys hold identical blocks for every stream."""
    a = StreamBank(seed=7, replication=1, locality_sizes=[20, 5])
    b = StreamBank(seed=7, replication=1, locality_sizes=[20, 5])
    for loc in range(2):
        for s in ALL_STREAMS:
            np.testing.assert_array_equal(a.blocks[loc][s], b.blocks[loc][s])


@pytest.mark.parametrize(
    "change",
    [{"seed": 8}, {"replication": 2}],
    ids=["seed", "replication"],
)
def test_other_seed_or_replication_other_draws(change: dict[str, int]) -> None:
    """Changing the seed or the replication changes every stream."""
    keys = {"seed": 7, "replication": 1, **change}
    a = StreamBank(seed=7, replication=1, locality_sizes=[20])
    b = StreamBank(locality_sizes=[20], **keys)
    for s in ALL_STREAMS:
        assert not np.array_equal(a.blocks[0][s], b.blocks[0][s])


def test_localities_and_streams_are_distinct() -> None:
    """No two (locality, stream) blocks share their draws."""
    bank = StreamBank(seed=3, replication=0, locality_sizes=[10, 10])
    firsts = {(loc, s): bank.draw(loc, 0, s, 0) for loc in range(2) for s in ALL_STREAMS}
    assert len(set(firsts.values())) == len(firsts)


def test_patient_row_does_not_depend_on_locality_size() -> None:
    """Patient i's draws are the same whether the locality has 10 or 500 patients."""
    small = StreamBank(seed=11, replication=3, locality_sizes=[10, 4])
    large = StreamBank(seed=11, replication=3, locality_sizes=[500, 4])
    for s in ALL_STREAMS:
        for i in (0, 1, 9):
            assert row(small, 0, i, s) == row(large, 0, i, s)


def test_patient_row_does_not_depend_on_other_localities() -> None:
    """Adding patients (or a locality) elsewhere leaves a locality's draws unchanged."""
    a = StreamBank(seed=11, replication=0, locality_sizes=[6, 3])
    b = StreamBank(seed=11, replication=0, locality_sizes=[6, 300, 12])
    for s in ALL_STREAMS:
        for i in range(6):
            assert row(a, 0, i, s) == row(b, 0, i, s)
        for i in range(3):
            assert row(a, 1, i, s) == row(b, 1, i, s)


def full_block(seed: int, replication: int, locality: int, size: int, stream: int) -> np.ndarray:
    """The whole block of a stream, drawn in one numpy call (what the bank held before it kept a prefix)."""
    name = STREAM_NAMES[stream]
    rng = generator(seed, replication, locality, stream_key(name))
    return rng.random((size, STREAM_BLOCKS[name]), dtype=np.float32)


def test_every_row_is_the_whole_block() -> None:
    """Kept columns and columns drawn on demand together are the block drawn in one call, to the bit."""
    sizes = [2_100, 7]  # more rows than one chunk: the chunked drawing continues the same sequence
    bank = StreamBank(seed=13, replication=2, locality_sizes=sizes)
    for loc, size in enumerate(sizes):
        for s in ALL_STREAMS:
            block = full_block(13, 2, loc, size, s)
            for i in {0, 1, size // 2, size - 2, size - 1}:
                assert row(bank, loc, i, s) == block[i].tolist(), (loc, i, STREAM_NAMES[s])


def definition(seed: int, replication: int, locality: int, size: int, stream: int, patient: int, n: int) -> list[float]:
    """The first ``n`` uniforms of a patient's stream by definition: the block's row, then the
    patient's own generator's float64 draws (drawn here in one call)."""
    block_row = full_block(seed, replication, locality, size, stream)[patient].tolist()
    own = generator(seed, replication, locality, stream_key(STREAM_NAMES[stream]), patient)
    return (block_row + own.random(max(0, n - len(block_row))).tolist())[:n]


@settings(max_examples=200, deadline=None)
@given(
    stream=st.sampled_from(list(ALL_STREAMS)),
    patient=st.integers(0, 40),
    reads=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 12)), min_size=1, max_size=6),
)
def test_reads_in_any_order_give_the_definition(stream: int, patient: int, reads: list[tuple[int, int]]) -> None:
    """Reads in any order, across the kept edge, the row's end and the overflow's batches, by ``draws``
    or ``draw``, give the block's numbers and then the patient's own generator's."""
    bank = StreamBank(seed=5, replication=1, locality_sizes=[41])
    expected = definition(5, 1, 0, 41, stream, patient, 412)
    for start, n in reads:
        assert list(bank.draws(0, patient, stream, start, n)) == expected[start : start + n]
        assert bank.draw(0, patient, stream, start + n - 1) == expected[start + n - 1]


def test_kept_columns_are_even_and_at_most_the_block() -> None:
    """Kept prefixes never exceed a row, and those cut short are whole episodes or route pairs."""
    for name, width in STREAM_BLOCKS.items():
        kept = STREAM_KEPT[name]
        assert 0 < kept <= width
        if kept < width:
            assert kept % 2 == 0


def test_draws_are_uniforms() -> None:
    """Draws lie in [0, 1) and look uniform (mean within 5 standard errors of 1/2)."""
    bank = StreamBank(seed=5, replication=0, locality_sizes=[400])
    values = np.concatenate([bank.blocks[0][s].ravel() for s in ALL_STREAMS])
    assert values.min() >= 0.0 and values.max() < 1.0
    se = np.sqrt(1 / 12 / values.size)
    assert abs(values.mean() - 0.5) < 5 * se


def test_draws_match_draw() -> None:
    """``draws`` is ``draw`` at consecutive positions, inside the block and across its end."""
    bank = StreamBank(seed=1, replication=0, locality_sizes=[3])
    width = STREAM_BLOCKS[STREAM_NAMES[CRISIS_CLOCK]]
    for start in (0, width - 4, width - 1, width, width + 30):
        got = list(bank.draws(0, 2, CRISIS_CLOCK, start, 10))
        assert got == [bank.draw(0, 2, CRISIS_CLOCK, start + k) for k in range(10)]


def test_overflow_is_deterministic_and_order_free() -> None:
    """Draws past the block are the same in a fresh bank, whatever order they are read in."""
    width = STREAM_BLOCKS[STREAM_NAMES[DEATH_CLOCK]]
    positions = [width + k for k in (0, 1, 31, 32, 33, 100)]
    a = StreamBank(seed=2, replication=4, locality_sizes=[5])
    forward = [a.draw(0, 3, DEATH_CLOCK, p) for p in positions]
    b = StreamBank(seed=2, replication=4, locality_sizes=[5])
    backward = [b.draw(0, 3, DEATH_CLOCK, p) for p in reversed(positions)][::-1]
    assert forward == backward
    assert all(0.0 <= u < 1.0 for u in forward)
    assert len(set(forward)) == len(forward)


def test_overflow_depends_only_on_the_patient() -> None:
    """A patient's overflow draws ignore the locality size and other patients' overflow."""
    width = STREAM_BLOCKS[STREAM_NAMES[ENROLMENT]]
    a = StreamBank(seed=9, replication=0, locality_sizes=[4])
    b = StreamBank(seed=9, replication=0, locality_sizes=[40])
    for p in range(4):  # b reads other patients' overflow first
        b.draws(0, 3 - p, ENROLMENT, width, 50)
    for p in range(4):
        assert list(a.draws(0, p, ENROLMENT, width, 50)) == list(b.draws(0, p, ENROLMENT, width, 50))
    assert list(a.draws(0, 0, ENROLMENT, width, 5)) != list(a.draws(0, 1, ENROLMENT, width, 5))


def test_overflow_is_not_a_copy_of_the_block() -> None:
    """The overflow generator is new randomness, not the block read again."""
    bank = StreamBank(seed=4, replication=0, locality_sizes=[2])
    width = STREAM_BLOCKS[STREAM_NAMES[CRISIS_EPISODE]]
    block = set(row(bank, 0, 0, CRISIS_EPISODE))
    overflow = list(bank.draws(0, 0, CRISIS_EPISODE, width, width))
    assert not block & set(overflow)


def test_stream_keys_are_stable_and_distinct() -> None:
    """Keys come from the names alone (adding a stream never shifts another) and do not collide."""
    keys = [stream_key(name) for name in STREAM_NAMES]
    assert len(set(keys)) == len(keys)
    assert stream_key("patient.crisis.clock") == stream_key("patient.crisis.clock")
    assert stream_key("patient.crisis.clock") != stream_key("patient.crisis.episode")


def test_overflow_is_the_patients_own_generator() -> None:
    """Past the block, a patient's draws are their own generator's float64 uniforms, in order."""
    width = STREAM_BLOCKS[STREAM_NAMES[DEATH_CLOCK]]
    bank = StreamBank(seed=6, replication=2, locality_sizes=[3, 4])
    expected = generator(6, 2, 1, stream_key(STREAM_NAMES[DEATH_CLOCK]), 3).random(70).tolist()
    assert list(bank.draws(1, 3, DEATH_CLOCK, width, 70)) == expected


def test_stream_numbers_follow_the_names() -> None:
    """Each stream number (a Final constant, inlined by mypyc) is its stream's place in STREAM_NAMES:
    CRISIS_CLOCK is "patient.crisis.clock", and every stream has one."""
    numbers = {
        name: getattr(streams, name)
        for name in dir(streams)
        if name.isupper() and f"patient.{name.lower().replace('_', '.')}" in STREAM_NAMES
    }
    assert len(numbers) == len(STREAM_NAMES)
    for name, number in numbers.items():
        assert STREAM_NAMES[number] == f"patient.{name.lower().replace('_', '.')}"


def test_rests_are_drawn_in_pieces_and_overflow_keeps_its_generator() -> None:
    """Reading one column past the kept ones draws one piece of the rest, not the whole row; a read
    further on extends it; past the row's end the float64 draws are kept in batches, with the one
    generator they came from."""
    name = STREAM_NAMES[FALL_EPISODE]
    kept, width = STREAM_KEPT[name], STREAM_BLOCKS[name]
    assert kept < width
    bank = StreamBank(seed=3, replication=0, locality_sizes=[5])
    block = full_block(3, 0, 0, 5, FALL_EPISODE)[2].tolist()
    assert bank.draw(0, 2, FALL_EPISODE, kept) == block[kept]
    assert [len(rest) for rest in bank._rests.values()] == [STREAM_REST_PIECE]
    assert bank.draw(0, 2, FALL_EPISODE, kept + STREAM_REST_PIECE + 3) == block[kept + STREAM_REST_PIECE + 3]
    assert [len(rest) for rest in bank._rests.values()] == [2 * STREAM_REST_PIECE]
    bank.draw(0, 2, FALL_EPISODE, width + 40)
    assert [len(draws) for draws in bank._overflow.values()] == [OVERFLOW_BATCH]
    (rng,) = bank._overflow_rngs.values()
    bank.draw(0, 2, FALL_EPISODE, width + OVERFLOW_BATCH)
    assert [len(draws) for draws in bank._overflow.values()] == [2 * OVERFLOW_BATCH]
    assert list(bank._overflow_rngs.values()) == [rng]  # the same generator, not one built again


def test_streams_read_most_are_kept_whole() -> None:
    """The crisis episodes and routes (most of the reads past a prefix) are held whole, read without a rest."""
    bank = StreamBank(seed=3, replication=0, locality_sizes=[5])
    for stream in (CRISIS_CLOCK, CRISIS_EPISODE, CRISIS_ROUTE, DEATH_CLOCK):
        name = STREAM_NAMES[stream]
        assert STREAM_KEPT[name] == STREAM_BLOCKS[name]
        assert row(bank, 0, 4, stream) == full_block(3, 0, 0, 5, stream)[4].tolist()
    assert not bank._rests


@settings(max_examples=300, deadline=None)
@given(
    seed=st.one_of(st.integers(0, 2**32 + 5), st.integers(0, 2**140)),
    keys=st.lists(st.one_of(st.integers(0, 40), st.integers(0, 2**70)), max_size=6),
)
def test_entropy_words_give_numpys_seed_sequence(seed: int, keys: list[int]) -> None:
    """A seed sequence given the entropy words of (seed, keys) has the pool of numpy's from the seed and
    keys: the same state for the generator, whatever the sizes of the ints (0, one word, several)."""
    words = np.array(entropy_words(seed, *keys), dtype=np.uint32)
    expected = np.random.SeedSequence(seed, spawn_key=tuple(keys)).generate_state(8)
    np.testing.assert_array_equal(np.random.SeedSequence(words).generate_state(8), expected)


@pytest.mark.parametrize("seed", [0, 6, 2**32, 2**64 + 3])
def test_overflow_generators_of_many_patients_are_their_own(seed: int) -> None:
    """Patients who read past a row after the first of their (locality, stream), whose generators are built
    from entropy words, get the generator built from their keys: draw for draw, in every locality."""
    bank = StreamBank(seed=seed, replication=1, locality_sizes=[30, 12])
    for stream in (CRISIS_CLOCK, CRISIS_EPISODE, CRISIS_ROUTE):
        name = STREAM_NAMES[stream]
        width = STREAM_BLOCKS[name]
        for loc, patient in [(0, 5), (0, 29), (1, 0), (0, 0), (1, 11), (0, 6)]:
            expected = generator(seed, 1, loc, stream_key(name), patient).random(2 * OVERFLOW_BATCH + 3).tolist()
            assert list(bank.draws(loc, patient, stream, width, len(expected))) == expected, (name, loc, patient)
    assert sum(words is not None for words in bank._entropy.values()) == 6  # the shortcut was used


def test_overflow_generators_come_from_the_keys_where_the_words_are_not_trusted() -> None:
    """Where the first patient's check failed (marked None), patients' generators come from their keys."""
    bank = StreamBank(seed=8, replication=0, locality_sizes=[10])
    width = STREAM_BLOCKS[STREAM_NAMES[CRISIS_CLOCK]]
    bank._entropy[CRISIS_CLOCK] = None
    for patient in (3, 4):
        expected = generator(8, 0, 0, stream_key(STREAM_NAMES[CRISIS_CLOCK]), patient).random(10).tolist()
        assert list(bank.draws(0, patient, CRISIS_CLOCK, width, 10)) == expected
    assert bank._entropy == {CRISIS_CLOCK: None}


def test_a_patients_streams_are_taken_each_on_its_own() -> None:
    """``Patient.take`` gives each stream's next position and moves only that stream past the uniforms
    taken; every stream has a position of its own, and a stream number that is none is refused."""
    p = Patient(0, PatientRecord(0, 0, 80.0, 0, False, False, (), 0.0, 0.0))
    assert p.cursor == (0,) * len(STREAM_NAMES)
    for stream in ALL_STREAMS:  # stream s takes s + 1 uniforms, twice
        assert p.take(stream, stream + 1) == 0
        assert p.take(stream, stream + 1) == stream + 1
    assert p.cursor == tuple(2 * (s + 1) for s in ALL_STREAMS)
    assert p.take(CRISIS_EPISODE, 10) == 2 * (CRISIS_EPISODE + 1)
    assert p.cursor[CRISIS_ROUTE] == 2 * (CRISIS_ROUTE + 1)  # the others unmoved
    with pytest.raises(ValueError, match="no stream"):
        p.take(len(STREAM_NAMES), 1)
