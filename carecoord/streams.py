"""Named random streams for common random numbers.

Each stream is a block of uniforms per patient: row ``i`` of the block for
(seed, replication, locality, stream) belongs to patient ``i`` of that locality, and is read in
order. A patient's draws therefore depend only on (seed, replication, locality, patient, stream),
never on other patients or on the arm, so every arm sees the same underlying events. Blocks are
drawn by numpy in patient order (fast); a patient who needs more draws than the block holds
continues on a generator seeded from the same five keys. Stream keys are CRC32 hashes of their
names, so adding a stream never shifts another.

Memory: the bank keeps only the first ``STREAM_KEPT`` columns of each row (what most patients
read in a run); the rest of a row is drawn again, a few episodes at a time, when a patient first
reads past them, by jumping the stream's generator (PCG64 ``advance``) to that point of the block:
the same numbers, paid for only by the patients who need them (docs/performance.md).

Example:
    >>> bank = StreamBank(seed=1, replication=0, locality_sizes=[10])
    >>> u = bank.draw(0, 3, CRISIS_CLOCK)
"""

from __future__ import annotations

import zlib
from array import array
from typing import Any, cast

import numpy as np
from mypy_extensions import mypyc_attr


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, *keys: int) -> np.random.Generator:
    """A generator for one (seed, keys...) combination."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=keys)))


# Stream name -> uniforms held per patient in the block. Names are a contract.
STREAM_BLOCKS: dict[str, int] = {
    "patient.crisis.clock": 24,
    "patient.crisis.episode": 24 * 10,
    "patient.fall.clock": 12,
    "patient.fall.episode": 12 * 10,
    "patient.social.clock": 8,
    "patient.social.episode": 8 * 10,
    "patient.decline.clock": 8,
    "patient.decline.episode": 8 * 10,
    "patient.death.clock": 2,
    "patient.care.episode": 16,
    "patient.enrolment": 2 * 10,
    "patient.prognosis": 1,
    "patient.crisis.route": 24 * 2,
}
STREAM_NAMES: list[str] = list(STREAM_BLOCKS)
(
    CRISIS_CLOCK,
    CRISIS_EPISODE,
    FALL_CLOCK,
    FALL_EPISODE,
    SOCIAL_CLOCK,
    SOCIAL_EPISODE,
    DECLINE_CLOCK,
    DECLINE_EPISODE,
    DEATH_CLOCK,
    CARE_EPISODE,
    ENROLMENT,
    PROGNOSIS,
    CRISIS_ROUTE,
) = range(len(STREAM_NAMES))

POPULATION_STREAM = "population.aggregate"
"""The aggregate stream of the people outside the cohort (carecoord.population): one generator per
(seed, replication, locality), apart from every patient's blocks."""

EPISODE_WIDTH = 10
"""Uniforms drawn per episode (crisis, fall, ...), whatever the arm uses of them."""

# What each uniform of an episode decides. One column, one decision: no uniform is reused.
SEVERITY = 0  # admitted if below the route's admission probability
SHORT_STAY = 1  # short stay if below the short-stay share
STAY = 2  # quantile of a long stay
DIES = 3  # unused: fatality follows SEVERITY (carecoord.mortality); kept so that no column shifts
NEEDS = 4  # discharge needs
REFERRAL = 5  # GP refers to community nursing
CONVEYANCE = 6  # arrives at A&E by ambulance
DETECTION = 7  # a proactive visit detected the deterioration
MECHANISM = 8  # an integrated mechanism's own decision (prevent, avoid, escalate)
SPARE = 9

# Columns of each row held in memory (the rest is drawn on demand, the same numbers). Chosen from
# the columns patients read in the region benchmark (3,000 patients, 3 years, both arms): about 1 in 4
# patients reads past the crisis episodes kept, 1 in 9 past the routes, 1 in 10 past the crisis
# clock's, 1 in 20 past the other episodes, and fewer than 1 in 50 past the other columns kept.
STREAM_KEPT: dict[str, int] = {
    **STREAM_BLOCKS,
    "patient.crisis.episode": 6 * EPISODE_WIDTH,
    "patient.fall.clock": 6,
    "patient.fall.episode": 3 * EPISODE_WIDTH,
    "patient.social.clock": 4,
    "patient.social.episode": 1 * EPISODE_WIDTH,
    "patient.decline.clock": 4,
    "patient.decline.episode": 1 * EPISODE_WIDTH,
    "patient.care.episode": 4,
    "patient.enrolment": 1 * EPISODE_WIDTH,
    "patient.crisis.route": 12 * 2,
}
STREAM_REST_PIECE = 2 * EPISODE_WIDTH
"""Columns past the kept ones drawn at a time when a patient first reads them (two episodes)."""
N_STREAMS = len(STREAM_NAMES)
OVERFLOW_BATCH = 32
"""Draws past a row's end taken at a time from the patient's own generator."""
ROWS_PER_CHUNK = 2048
"""Rows drawn per numpy call while a block is built (bounds the memory of the full-width rows)."""


def _flat_view(block: np.ndarray) -> memoryview[float]:
    """A block's float32 memory as one flat memoryview (its items are floats)."""
    # numpy's stubs give ndarray the buffer protocol only from Python 3.12 on.
    return cast("memoryview[float]", memoryview(block.reshape(-1)))  # type: ignore[arg-type]


# Compiled (mypyc), a class needs this to be subclassed in Python: a test's scripted bank (test_pathway_traces).
@mypyc_attr(allow_interpreted_subclasses=True)
class StreamBank:
    """Per-patient uniform streams for one replication."""

    def __init__(self, seed: int, replication: int, locality_sizes: list[int]):
        self.seed = seed
        self.replication = replication
        self._widths = list(STREAM_BLOCKS.values())
        self._kept = list(STREAM_KEPT.values())
        # The kept columns of each (locality, stream) block, and the generator state it started from.
        self.blocks: list[list[np.ndarray]] = []
        self._starts: list[list[Any]] = []  # numpy's bit-generator state dicts
        for loc, size in enumerate(locality_sizes):
            per_stream, starts = [], []
            for name, width in STREAM_BLOCKS.items():
                rng = generator(seed, replication, loc, stream_key(name))
                starts.append(rng.bit_generator.state)
                per_stream.append(_kept_columns(rng, size, width, STREAM_KEPT[name]))
            self.blocks.append(per_stream)
            self._starts.append(starts)
        # The same memory seen as flat memoryviews: indexing one gives a Python float directly,
        # about half the cost of a numpy scalar, and draws are taken on every event.
        self._flat: list[list[memoryview[float]]] = [[_flat_view(b) for b in per] for per in self.blocks]
        self._n_localities = len(locality_sizes)
        self._rests: dict[int, array] = {}
        self._jumper_bits = np.random.PCG64(0)
        self._jumper = np.random.Generator(self._jumper_bits)
        self._overflow: dict[int, array] = {}

    def draw(self, locality: int, patient: int, stream: int, position: int) -> float:
        """The uniform at ``position`` of a patient's stream."""
        kept = self._kept[stream]
        if position < kept:
            return self._flat[locality][stream][patient * kept + position]
        if position < self._widths[stream]:
            return self._rest(locality, patient, stream, position - kept)[position - kept]
        return self._overflow_draw(locality, patient, stream, position - self._widths[stream])

    def draws(self, locality: int, patient: int, stream: int, position: int, n: int) -> list[float]:
        """``n`` consecutive uniforms of a patient's stream from ``position``."""
        kept = self._kept[stream]
        end = position + n
        if end <= kept:
            start = patient * kept + position
            return self._flat[locality][stream][start : start + n].tolist()  # type: ignore[return-value]  # typeshed: list[int]; float items here
        if position >= kept and end <= self._widths[stream]:
            # All past the kept columns, within the block: one look-up of the row's rest (drawn as far
            # as the last one needs), not one per uniform; the same numbers as ``draw`` gives.
            rest = self._rest(locality, patient, stream, end - 1 - kept)
            return rest[position - kept : end - kept].tolist()
        return [self.draw(locality, patient, stream, position + i) for i in range(n)]

    def _rest(self, locality: int, patient: int, stream: int, index: int) -> array:
        """The columns of a patient's row past those kept, drawn on first use: the block's own numbers.

        Drawn in pieces of ``STREAM_REST_PIECE`` columns, as far as ``index`` (counted from the first
        column not kept) needs: a patient who reads one episode past the kept ones holds one piece,
        not the whole rest of the row. Each piece jumps the generator to its own place in the block.
        """
        key = (patient * self._n_localities + locality) * N_STREAMS + stream  # an int: smaller than a tuple
        rest = self._rests.get(key)
        have = 0 if rest is None else len(rest)
        if index < have:
            return rest  # type: ignore[return-value]
        width, kept = self._widths[stream], self._kept[stream]
        piece = STREAM_REST_PIECE
        need = min(width - kept, (index // piece + 1) * piece)  # columns past the kept ones to hold
        first = patient * width + kept + have  # index of the first float32 wanted in the block
        rng = self._jumper
        self._jumper_bits.state = self._starts[locality][stream]
        self._jumper_bits.advance(first // 2)  # a 64-bit output makes two float32 uniforms
        if first % 2:
            rng.random(1, dtype=np.float32)
        more = rng.random(need - have, dtype=np.float32).tobytes()
        if rest is None:
            rest = array("f", more)  # 160 B less than an ndarray
            self._rests[key] = rest
        else:
            rest.frombytes(more)
        return rest

    def _overflow_draw(self, locality: int, patient: int, stream: int, index: int) -> float:
        """Draws past the block continue on a generator keyed by the patient too.

        Only the draws are kept (float64 as drawn, 8 bytes each). The generator (about 2 KB) is made
        again for each further batch and jumped past the draws already taken (PCG64 ``advance``:
        one 64-bit output per float64), which gives the numbers that keeping it would have.
        """
        key = (patient * self._n_localities + locality) * N_STREAMS + stream  # an int: smaller than a tuple
        cache = self._overflow.get(key)
        if cache is None:
            cache = array("d")
            self._overflow[key] = cache
        if len(cache) <= index:
            rng = generator(self.seed, self.replication, locality, stream_key(STREAM_NAMES[stream]), patient)
            cast(np.random.PCG64, rng.bit_generator).advance(len(cache))  # generator() makes a PCG64
            while len(cache) <= index:
                cache.frombytes(rng.random(OVERFLOW_BATCH).tobytes())
        return cache[index]


def _kept_columns(rng: np.random.Generator, size: int, width: int, kept: int) -> np.ndarray:
    """The first ``kept`` columns of ``rng.random((size, width), dtype=float32)``, drawn in chunks of rows."""
    if kept == width:
        return rng.random((size, width), dtype=np.float32)
    out = np.empty((size, kept), dtype=np.float32)
    for start in range(0, size, ROWS_PER_CHUNK):
        rows = min(ROWS_PER_CHUNK, size - start)
        out[start : start + rows] = rng.random((rows, width), dtype=np.float32)[:, :kept]
    return out
