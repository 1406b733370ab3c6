"""The Swift engine's random generator, bit for bit (`Sources/Kernels/SeededGenerator.swift`).

xoshiro256** seeded by SplitMix64; uniform floats from the top 24 bits; one standard
normal per Box–Muller pair, computed in double with the C library's `log` and `cos`
(Python's `math` calls the same glibc functions as Swift's Foundation on Linux) and
rounded to float32. With it a PyTorch segment of a run can draw exactly the cell
order, timesteps, noise and label dropout the Swift trainer would have drawn, and
hand the generator's four words back in the optimiser file.

Pure Python: about 0.5 µs per word and 1.2 µs per normal on this machine's CPU, so
drawing the noise of a large global batch costs milliseconds per step (see
docs/scaling.md and `--noise torch`).
"""

import math

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
TWO_PI = 2 * math.pi
TWO_53 = 2.0 ** -53
TWO_24 = 2.0 ** -24


def _splitmix(s: int) -> tuple[int, int]:
    s = (s + GOLDEN) & MASK
    z = s
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return s, z ^ (z >> 31)


class SeededGenerator:
    """The Swift `SeededGenerator`: its whole state is four 64-bit words."""

    __slots__ = ("s0", "s1", "s2", "s3")

    def __init__(self, seed: int = 0, stream: int | None = None):
        s = seed & MASK
        if stream is not None:                   # SeededGenerator(seed:stream:)
            s = (s + GOLDEN * (stream + 1)) & MASK
        words = []
        for _ in range(4):
            s, z = _splitmix(s)
            words.append(z)
        self.s0, self.s1, self.s2, self.s3 = words

    @classmethod
    def from_state(cls, words) -> "SeededGenerator":
        g = cls.__new__(cls)
        g.s0, g.s1, g.s2, g.s3 = (int(w) & MASK for w in words)
        return g

    @property
    def state(self) -> tuple[int, int, int, int]:
        return (self.s0, self.s1, self.s2, self.s3)

    def state_string(self) -> str:
        """The optimiser file's `generator` metadata: the four words in decimal."""
        return ",".join(str(w) for w in self.state)

    @classmethod
    def from_state_string(cls, text: str) -> "SeededGenerator":
        words = [int(w) for w in text.split(",")]
        if len(words) != 4:
            raise ValueError(f"a generator state is four words, got {text!r}")
        return cls.from_state(words)

    def next(self) -> int:
        s0, s1, s2, s3 = self.s0, self.s1, self.s2, self.s3
        x = (s1 * 5) & MASK
        result = ((((x << 7) | (x >> 57)) & MASK) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & MASK
        self.s0, self.s1, self.s2, self.s3 = s0, s1, s2, s3
        return result

    def next_uniform(self) -> float:
        """Uniform in [0, 1) with 24 random bits (a float32 value)."""
        return (self.next() >> 40) * TWO_24

    def next_normal(self) -> float:
        u1 = ((self.next() >> 11) + 1) * TWO_53      # (0, 1]
        u2 = (self.next() >> 11) * TWO_53
        return math.sqrt(-2 * math.log(u1)) * math.cos(TWO_PI * u2)

    def normals(self, count: int) -> np.ndarray:
        """`fillNormal`: `count` standard normals as float32 (inlined for speed)."""
        out = [0.0] * count
        s0, s1, s2, s3 = self.s0, self.s1, self.s2, self.s3
        log, cos, sqrt = math.log, math.cos, math.sqrt
        for i in range(count):
            x = (s1 * 5) & MASK
            a = ((((x << 7) | (x >> 57)) & MASK) * 9) & MASK
            t = (s1 << 17) & MASK
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
            s3 = ((s3 << 45) | (s3 >> 19)) & MASK
            x = (s1 * 5) & MASK
            b = ((((x << 7) | (x >> 57)) & MASK) * 9) & MASK
            t = (s1 << 17) & MASK
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
            s3 = ((s3 << 45) | (s3 >> 19)) & MASK
            out[i] = sqrt(-2 * log(((a >> 11) + 1) * TWO_53)) * cos(TWO_PI * ((b >> 11) * TWO_53))
        self.s0, self.s1, self.s2, self.s3 = s0, s1, s2, s3
        return np.asarray(out, dtype=np.float64).astype(np.float32)

    def skip(self, words: int) -> None:
        """Advances the state by `words` draws without using them."""
        s0, s1, s2, s3 = self.s0, self.s1, self.s2, self.s3
        for _ in range(words):
            t = (s1 << 17) & MASK
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
            s3 = ((s3 << 45) | (s3 >> 19)) & MASK
        self.s0, self.s1, self.s2, self.s3 = s0, s1, s2, s3


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The training cells' order in an epoch (`InMemoryTrainingCells.prepare`).

    A Fisher–Yates shuffle of 0…count−1 from `SeededGenerator(seed, stream: 1_000_000 + epoch)`,
    so it depends only on the seed and the epoch number.
    """
    order = list(range(count))
    g = SeededGenerator(seed, stream=1_000_000 + epoch)
    for i in range(count - 1, 0, -1):
        j = g.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.asarray(order, dtype=np.int64)


def streamed_epoch_order(seed: int, epoch: int, count: int, block_cells: int, window_blocks: int) -> np.ndarray:
    """The order of a streamed run's training cells in an epoch (`StreamedTrainingCells`).

    The full blocks of `block_cells` consecutive cells are shuffled by
    `SeededGenerator(seed, stream: 2_000_000 + epoch)`, the short last block goes last; the
    blocks are taken `window_blocks` at a time, and each window's cells are shuffled among
    themselves by `SeededGenerator(seed, stream: 3_000_000 + (epoch << 24) + window)`.
    """
    b = block_cells
    full = count // b
    blocks = list(range(full))
    g = SeededGenerator(seed, stream=2_000_000 + epoch)
    for i in range(full - 1, 0, -1):
        j = g.next() % (i + 1)
        blocks[i], blocks[j] = blocks[j], blocks[i]
    if count % b:
        blocks.append(full)
    order = []
    for window, first in enumerate(range(0, len(blocks), window_blocks)):
        members = []
        for block in blocks[first:first + window_blocks]:
            members.extend(range(block * b, min(count, (block + 1) * b)))
        g = SeededGenerator(seed, stream=3_000_000 + (epoch << 24) + window)
        for i in range(len(members) - 1, 0, -1):
            j = g.next() % (i + 1)
            members[i], members[j] = members[j], members[i]
        order.extend(members)
    return np.asarray(order, dtype=np.int64)
