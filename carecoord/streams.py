"""Named random streams for common random numbers.

Each stream is a block of uniforms per patient: row ``i`` of the block for
(seed, replication, locality, stream) belongs to patient ``i`` of that locality, and is read in
order. A patient's draws therefore depend only on (seed, replication, locality, patient, stream),
never on other patients or on the arm, so every arm sees the same underlying events. Blocks are
drawn by numpy in patient order (fast); a patient who needs more draws than the block holds
continues on a generator seeded from the same five keys. Stream keys are CRC32 hashes of their
names, so adding a stream never shifts another.

Memory: the bank keeps the whole rows of the streams read most (the crisis clock, episodes and
routes, the death clock) and only the first ``STREAM_KEPT`` columns of the rarely read ones; the
rest of such a row is drawn again, a few episodes at a time, when a patient first reads past them,
by jumping the stream's generator (PCG64 ``advance``) to that point of the block: the same numbers,
paid for only by the patients who need them. A patient who reads past a row's end keeps the draws
and the generator they came from (docs/performance.md).

Example:
    >>> bank = StreamBank(seed=1, replication=0, locality_sizes=[10])
    >>> u = bank.draw(0, 3, CRISIS_CLOCK, 0)  # locality 0, patient 3, the first uniform
"""

from __future__ import annotations

import math
import zlib
from array import array
from typing import Any, Final

import numpy as np
from librt.strings import read_f32_le
from librt.vecs import append, extend, vec
from mypy_extensions import mypyc_attr


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, *keys: int) -> np.random.Generator:
    """A generator for one (seed, keys...) combination."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=keys)))


POOL_SIZE: Final = 4
"""Words of numpy's SeedSequence pool (its default): an entropy shorter than this is padded to it."""
WORD: Final = 0xFFFFFFFF


def entropy_words(seed: int, *keys: int) -> list[int]:
    """The 32-bit words numpy's ``SeedSequence(seed, spawn_key=keys)`` mixes into its pool, in order.

    Each int is split into words, least significant first (one word, 0, for 0); the seed's words are
    padded with zeros to the pool size when there are keys. ``SeedSequence(words)``, given these words as
    a uint32 array, has the same pool, hence the same generator: :meth:`StreamBank._overflow_generator`
    builds it so, and checks the two agree before it trusts the shortcut.
    """
    words: list[int] = []
    for i, value in enumerate((seed, *keys)):
        if i == 1 and len(words) < POOL_SIZE:
            words.extend([0] * (POOL_SIZE - len(words)))
        words.append(value & WORD)
        value >>= 32
        while value:
            words.append(value & WORD)
            value >>= 32
    return words


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
# Stream numbers: positions in STREAM_NAMES, each named after its stream ("patient." + the name in lower
# case, "_" for "."; tests/unit/test_streams.py checks the two agree). Final literals, so that the compiled
# model (mypyc) reads them as C constants in every module, not as module-dict look-ups.
CRISIS_CLOCK: Final = 0
CRISIS_EPISODE: Final = 1
FALL_CLOCK: Final = 2
FALL_EPISODE: Final = 3
SOCIAL_CLOCK: Final = 4
SOCIAL_EPISODE: Final = 5
DECLINE_CLOCK: Final = 6
DECLINE_EPISODE: Final = 7
DEATH_CLOCK: Final = 8
CARE_EPISODE: Final = 9
ENROLMENT: Final = 10
PROGNOSIS: Final = 11
CRISIS_ROUTE: Final = 12
CLOCK_STREAMS: tuple[int, ...] = (CRISIS_CLOCK, FALL_CLOCK, SOCIAL_CLOCK, DECLINE_CLOCK, DEATH_CLOCK)
"""The stream of each event type's clock, in the model's order of event types (crisis, fall, social crisis,
decline, death: carecoord.model.clock). A tuple of any length: compiled, a Python tuple, indexed as it is."""

POPULATION_STREAM = "population.aggregate"
"""The aggregate stream of the people outside the cohort (carecoord.population): one generator per
(seed, replication, locality), apart from every patient's blocks."""

EPISODE_WIDTH: Final = 10
"""Uniforms drawn per episode (crisis, fall, ...), whatever the arm uses of them."""

# What each uniform of an episode decides. One column, one decision: no uniform is reused.
SEVERITY: Final = 0  # admitted if below the route's admission probability
SHORT_STAY: Final = 1  # short stay if below the short-stay share
STAY: Final = 2  # quantile of a long stay
DIES: Final = 3  # unused: fatality follows SEVERITY (carecoord.mortality); kept so that no column shifts
NEEDS: Final = 4  # discharge needs
REFERRAL: Final = 5  # GP refers to community nursing
CONVEYANCE: Final = 6  # arrives at A&E by ambulance
DETECTION: Final = 7  # a proactive visit detected the deterioration
MECHANISM: Final = 8  # an integrated mechanism's own decision (prevent, avoid, escalate)
SPARE: Final = 9

# Columns of each row held in memory (the rest is drawn on demand, the same numbers). The streams read
# most are kept whole: at 10,000 patients x 3 years (both arms) the crisis episodes past 6 kept and the
# routes past 12 kept made 30,177 of the 34,281 rests drawn (each a generator jump and a numpy call),
# for 816 bytes a patient. The rarely read streams keep a prefix, wide enough that few patients read
# past it (same run): 980 of 15,146 fall-episode readers read past 3 episodes, 327 past 4.5 and 26
# past 6; 1,260 of 5,654 social-episode and 1,331 of 7,551 decline-episode readers past 1 episode, 51
# and 8 past 3; 84 patients past 6 fall-clock draws (4 past 8), 51 and 8 past 4 social- and
# decline-clock draws (4 and none past 6), 239 of 14,245 past 4 care-episode draws (40 past 6). The
# prefixes below (272 bytes a patient more than 3, 1, 1 episodes and 6, 4, 4, 4 draws) took the rests
# drawn from 4,104 to 199.
STREAM_KEPT: dict[str, int] = {
    **STREAM_BLOCKS,
    "patient.fall.clock": 8,
    "patient.fall.episode": 5 * EPISODE_WIDTH,
    "patient.social.clock": 6,
    "patient.social.episode": 3 * EPISODE_WIDTH,
    "patient.decline.clock": 6,
    "patient.decline.episode": 3 * EPISODE_WIDTH,
    "patient.care.episode": 6,
    "patient.enrolment": 1 * EPISODE_WIDTH,
}
STREAM_REST_PIECE: Final = 2 * EPISODE_WIDTH
"""Columns past the kept ones drawn at a time when a patient first reads them (two episodes)."""
N_STREAMS: Final = len(STREAM_NAMES)
OVERFLOW_BATCH: Final = 64
"""Draws past a row's end taken at a time from the patient's own generator."""
ROWS_PER_CHUNK: Final = 2048
"""Rows drawn per numpy call while a block is built (bounds the memory of the full-width rows)."""


_LOG1P: Final = math.log1p  # compiled: a C static, where ``log1p`` imported is a module-dict look-up per call


def unit_exponential(u: float) -> float:
    """The unit exponential of a uniform (inversion; a uniform of 1 is kept just below it)."""
    return -_LOG1P(-min(u, 1.0 - 1e-12))


def _packed(block: np.ndarray) -> bytes:
    """A block's float32 values, row after row, as little-endian bytes (what ``read_f32_le`` reads)."""
    return np.ascontiguousarray(block, dtype="<f4").tobytes()


# Compiled (mypyc), a class needs this to be subclassed in Python: a test's scripted bank (test_pathway_traces).
@mypyc_attr(allow_interpreted_subclasses=True)
class StreamBank:
    """Per-patient uniform streams for one replication."""

    def __init__(self, seed: int, replication: int, locality_sizes: list[int]):
        self.seed = seed
        self.replication = replication
        self._widths: list[int] = list(STREAM_BLOCKS.values())
        self._kept: list[int] = list(STREAM_KEPT.values())
        # The kept columns of each (locality, stream) block as bytes, one per (locality, stream) at
        # ``locality * N_STREAMS + stream``: the compiled model reads a uniform from them with
        # librt's ``read_f32_le``, inline C giving an unboxed float (a memoryview's item was a generic
        # call, a boxed index and a Python float a draw). ``blocks``: the same memory as numpy arrays
        # (read-only views, no copy). Each block's generator state at its start: for the rests.
        self._packed: list[bytes] = []
        self.blocks: list[list[np.ndarray]] = []
        self._starts: list[list[Any]] = []  # numpy's bit-generator state dicts
        for loc, size in enumerate(locality_sizes):
            per_stream, starts = [], []
            for name, width in STREAM_BLOCKS.items():
                rng = generator(seed, replication, loc, stream_key(name))
                starts.append(rng.bit_generator.state)
                kept = STREAM_KEPT[name]
                data = _packed(_kept_columns(rng, size, width, kept))  # one block's array at a time
                self._packed.append(data)
                per_stream.append(np.frombuffer(data, dtype="<f4").reshape(size, kept))
            self.blocks.append(per_stream)
            self._starts.append(starts)
        self._n_localities = len(locality_sizes)
        self._rests: dict[int, array] = {}
        self._jumper_bits = np.random.PCG64(0)
        self._jumper = np.random.Generator(self._jumper_bits)
        # Past a row's end: the draws taken so far, and the generator they came from, per patient's stream.
        self._overflow: dict[int, array] = {}
        self._overflow_rngs: dict[int, np.random.Generator] = {}
        # Per (locality, stream): the entropy words of its patients' own generators, the patient's last
        # (None: the shortcut did not give numpy's generator; the keys are used).
        self._entropy: dict[int, Any] = {}

    def draw(self, locality: int, patient: int, stream: int, position: int) -> float:
        """The uniform at ``position`` of a patient's stream."""
        kept = self._kept[stream]
        if position < kept:
            return read_f32_le(self._packed[locality * N_STREAMS + stream], (patient * kept + position) * 4)
        width = self._widths[stream]
        if position < width:
            return self._rest(locality, patient, stream, position - kept)[position - kept]
        return self._overflow_draws(locality, patient, stream, position - width + 1)[position - width]

    def draws(self, locality: int, patient: int, stream: int, position: int, n: int) -> vec[float]:
        """``n`` consecutive uniforms of a patient's stream from ``position``.

        A librt vec: the doubles in one buffer, made and read in C when compiled, where a list held
        a float object per uniform (an episode's ten on every crisis, fall and decline).
        """
        kept = self._kept[stream]
        end = position + n
        out = vec[float](capacity=n)
        if end <= kept:
            data = self._packed[locality * N_STREAMS + stream]
            start = (patient * kept + position) * 4
            for i in range(n):
                out = append(out, read_f32_le(data, start + 4 * i))
            return out
        width = self._widths[stream]
        if position >= width:
            # All past the row's end (a crisis episode of a patient with more than 24): one slice.
            past = self._overflow_draws(locality, patient, stream, end - width)
            return extend(out, past[position - width : end - width])  # an array: a buffer, copied at once
        if position >= kept and end <= width:
            # All past the kept columns, within the block: one look-up of the row's rest (drawn as far
            # as the last one needs), not one per uniform; the same numbers as ``draw`` gives.
            rest = self._rest(locality, patient, stream, end - 1 - kept)
            return extend(out, rest[position - kept : end - kept])
        for i in range(n):
            out = append(out, self.draw(locality, patient, stream, position + i))
        return out

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

    def _overflow_draws(self, locality: int, patient: int, stream: int, count: int) -> array:
        """At least ``count`` draws past the block, from a generator keyed by the patient too.

        The draws are kept (float64 as drawn, 8 bytes each), taken ``OVERFLOW_BATCH`` at a time, and so
        is the generator (about 2 KB): numpy builds a generator from its keys through a
        ``SeedSequence``, which costs far more than a batch of draws, so each overflowing stream of a
        patient pays for it once.
        """
        key = (patient * self._n_localities + locality) * N_STREAMS + stream  # an int: smaller than a tuple
        past = self._overflow.get(key)
        if past is not None and count <= len(past):
            return past
        if past is None:
            past = array("d")
            self._overflow[key] = past
            rng = self._overflow_generator(locality, stream, patient)
            self._overflow_rngs[key] = rng
        else:
            rng = self._overflow_rngs[key]
        while len(past) < count:
            past.frombytes(rng.random(OVERFLOW_BATCH).tobytes())
        return past

    def _overflow_generator(self, locality: int, stream: int, patient: int) -> np.random.Generator:
        """A patient's own generator of a stream: ``generator(seed, replication, locality, key, patient)``.

        Built from the seed sequence's entropy words (:func:`entropy_words`, the patient's the last one)
        rather than from its keys: numpy converts keys to words in Python, one array per key, which cost
        more than the rest of the generator (about 14 of 25 microseconds; a few thousand patients a run
        read past a crisis row). The first patient of each (locality, stream) checks the words against
        the keys; should they differ (another numpy), that stream is built from its keys.
        """
        slot = locality * N_STREAMS + stream
        words = self._entropy.get(slot)
        if words is not None and patient <= WORD:
            own = words.copy()
            own[-1] = patient
            return np.random.Generator(np.random.PCG64(np.random.SeedSequence(own)))
        key = stream_key(STREAM_NAMES[stream])
        sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, locality, key, patient))
        if slot not in self._entropy and patient <= WORD:
            words = np.array(entropy_words(self.seed, self.replication, locality, key, patient), dtype=np.uint32)
            same = np.array_equal(np.random.SeedSequence(words).generate_state(4), sequence.generate_state(4))
            self._entropy[slot] = words if same else None
        return np.random.Generator(np.random.PCG64(sequence))


def _kept_columns(rng: np.random.Generator, size: int, width: int, kept: int) -> np.ndarray:
    """The first ``kept`` columns of ``rng.random((size, width), dtype=float32)``, drawn in chunks of rows."""
    if kept == width:
        return rng.random((size, width), dtype=np.float32)
    out = np.empty((size, kept), dtype=np.float32)
    for start in range(0, size, ROWS_PER_CHUNK):
        rows = min(ROWS_PER_CHUNK, size - start)
        out[start : start + rows] = rng.random((rows, width), dtype=np.float32)[:, :kept]
    return out
