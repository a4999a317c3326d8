"""TF-IDF features computed with numpy: fast enough for the intake form, stored without pickle.

Three blocks, each with its own vocabulary, sublinear tf, smoothed idf and l2 norm (as
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` in a ``FeatureUnion`` would give):

* ``body``: character 1–2-grams of the whole text, spaces removed;
* ``head``: character 1–3-grams of its first ``head_chars`` characters: the subject line, which
  names the problem most plainly, gets features of its own (+0.006 macro-F1 in cross-validation);
* ``words``: optional jieba word 1–2-grams (off by default: about +0.003 macro-F1, but jieba
  makes prediction ten times slower; see docs/classifier.md).

Why not scikit-learn's vectoriser: a character n-gram is packed into one int64 (21 bits per
code point, at most three code points), so a whole batch is cut, looked up (``KeyIndex``) and
counted with a handful of numpy calls instead of a Python loop per n-gram; and the fitted state
is two plain arrays per block, saved in an ``.npz`` file.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from hotline.classify import textprep

CODE_BITS = 21  # every Unicode code point fits in 21 bits …
MAX_CHAR_ORDER = 3  # … so three of them fit a signed 64-bit key
BLOCK_NAMES = ("body", "head", "words")
SMALL_CORPUS = 200  # documents; below this every n-gram is kept (min_df = 1)

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FeatureConfig:
    body_orders: tuple[int, ...] = (1, 2)
    head_chars: int = 30
    head_orders: tuple[int, ...] = (1, 2, 3)
    word_orders: tuple[int, ...] = ()
    min_df: int = 2

    def __post_init__(self) -> None:
        for order in (*self.body_orders, *self.head_orders):
            if not 1 <= order <= MAX_CHAR_ORDER:
                raise ValueError(f"character n-gram order must be 1..{MAX_CHAR_ORDER}: {order}")
        if any(order not in (1, 2) for order in self.word_orders):
            raise ValueError("word n-gram orders must be 1 or 2")
        if self.min_df < 1 or self.head_chars < 0:
            raise ValueError("min_df must be ≥ 1 and head_chars ≥ 0")
        if not active_blocks(self):
            raise ValueError("no features configured: give some n-gram orders")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FeatureConfig:
        return cls(
            body_orders=tuple(values["body_orders"]),
            head_chars=int(values["head_chars"]),
            head_orders=tuple(values["head_orders"]),
            word_orders=tuple(values["word_orders"]),
            min_df=int(values["min_df"]),
        )


_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: spreads keys over slots


class KeyIndex:
    """Hash table from n-gram key to vocabulary position, probed for a whole batch at once.

    Open addressing with linear probing, at most a quarter full: each round of probes is a few
    numpy passes, and nearly every key is settled in the first round; binary search
    (``searchsorted``) needs ~18 scattered reads per key and was a third of the prediction time.
    """

    def __init__(self, keys: Int64Array) -> None:
        self.keys = keys
        self.bits = max(4, int(np.ceil(np.log2(max(keys.shape[0], 1) * 4))))
        self.slots = np.full(1 << self.bits, -1, dtype=np.int64)
        self._insert(np.arange(keys.shape[0], dtype=np.int64))

    def _home(self, keys: Int64Array) -> Int64Array:
        spread = keys.view(np.uint64) * _FIBONACCI  # wraps around, as a hash should
        return (spread >> np.uint64(64 - self.bits)).astype(np.int64)

    def _insert(self, positions: Int64Array) -> None:
        slot = self._home(self.keys[positions])
        mask = self.slots.shape[0] - 1
        while positions.shape[0]:
            free = self.slots[slot] == -1
            # several keys may want one free slot: the first of them takes it
            taken, first = np.unique(slot[free], return_index=True)
            self.slots[taken] = positions[free][first]
            placed = np.zeros(positions.shape[0], dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            positions, slot = positions[~placed], (slot[~placed] + 1) & mask

    def lookup(self, keys: Int64Array) -> Int64Array:
        """Vocabulary position of each key, -1 for keys not in the vocabulary."""
        found = np.full(keys.shape[0], -1, dtype=np.int64)
        pending = np.arange(keys.shape[0], dtype=np.int64)
        slot = self._home(keys)
        mask = self.slots.shape[0] - 1
        while pending.shape[0]:
            position = self.slots[slot]
            occupied = position >= 0
            hit = occupied & (self.keys[position] == keys[pending])
            found[pending[hit]] = position[hit]
            going_on = occupied & ~hit
            pending, slot = pending[going_on], (slot[going_on] + 1) & mask
        return found


@dataclass(frozen=True)
class Block:
    """One group of features: its sorted n-gram keys and their idf weights."""

    name: str
    keys: Int64Array
    idf: FloatArray = field(repr=False)

    @property
    def size(self) -> int:
        return int(self.keys.shape[0])

    @cached_property
    def index(self) -> KeyIndex:
        return KeyIndex(self.keys)


# --- n-gram keys -----------------------------------------------------------------------------


def _codes_and_documents(streams: Sequence[str]) -> tuple[Int64Array, Int64Array]:
    """Code points of all streams joined by NUL, and the document index of every position."""
    joined = "\x00".join(streams).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
    separators = codes == 0
    documents = np.cumsum(separators) - separators
    return codes, documents.astype(np.int64)


def char_ngram_keys(streams: Sequence[str], orders: Sequence[int]) -> tuple[Int64Array, Int64Array]:
    """(key, document) of every character n-gram of the given orders; none crosses documents."""
    codes, documents = _codes_and_documents(streams)
    keys: list[Int64Array] = []
    owners: list[Int64Array] = []
    for order in orders:
        count = codes.shape[0] - order + 1
        if count <= 0:
            continue
        key = codes[:count].copy()
        inside = key != 0
        for offset in range(1, order):
            following = codes[offset : offset + count]
            key = (key << CODE_BITS) | following
            inside &= following != 0
        keys.append(key[inside])
        owners.append(documents[:count][inside])
    return _concatenate(keys), _concatenate(owners)


def _word_key(token: str) -> int:
    digest = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def word_ngram_keys(texts: Sequence[str], orders: Sequence[int]) -> tuple[Int64Array, Int64Array]:
    """(key, document) of jieba word n-grams; a word's key is a 64-bit hash of it (collisions
    are negligible at this vocabulary size) so that words and characters share the machinery."""
    keys: list[int] = []
    owners: list[int] = []
    for document, text in enumerate(texts):
        tokens = textprep.words(text)
        grams = list(tokens) if 1 in orders else []
        if 2 in orders:
            grams += [f"{first}\x00{second}" for first, second in itertools.pairwise(tokens)]
        keys += [_word_key(gram) for gram in grams]
        owners += [document] * len(grams)
    return np.array(keys, dtype=np.int64), np.array(owners, dtype=np.int64)


def _concatenate(parts: list[Int64Array]) -> Int64Array:
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def block_keys(
    name: str, config: FeatureConfig, texts: Sequence[str], streams: Sequence[str]
) -> tuple[Int64Array, Int64Array]:
    if name == "body":
        return char_ngram_keys(streams, config.body_orders)
    if name == "head":
        return char_ngram_keys([s[: config.head_chars] for s in streams], config.head_orders)
    return word_ngram_keys(texts, config.word_orders)


def active_blocks(config: FeatureConfig) -> list[str]:
    orders = {"body": config.body_orders, "head": config.head_orders, "words": config.word_orders}
    usable = {"head": config.head_chars > 0}
    return [name for name in BLOCK_NAMES if orders[name] and usable.get(name, True)]


# --- fitting ---------------------------------------------------------------------------------


def _sorted_distinct(values: Int64Array) -> Int64Array:
    """``np.unique`` by sorting: its hash-table path is ~5× slower on millions of n-grams."""
    ordered = np.sort(values)
    first = np.ones(ordered.shape[0], dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


def fit_block(name: str, keys: Int64Array, owners: Int64Array, n_docs: int, min_df: int) -> Block:
    """Keep the n-grams found in at least ``min_df`` documents; idf = ln((1+n)/(1+df)) + 1."""
    distinct, inverse = np.unique(keys, return_inverse=True)
    pairs = _sorted_distinct(owners * distinct.shape[0] + inverse.reshape(-1))
    document_frequency = np.bincount(pairs % distinct.shape[0], minlength=distinct.shape[0])
    kept = document_frequency >= min_df
    idf = np.log((1.0 + n_docs) / (1.0 + document_frequency[kept])) + 1.0
    return Block(name, distinct[kept].astype(np.int64), idf.astype(np.float64))


# --- transforming ----------------------------------------------------------------------------


def _block_entries(
    block: Block, keys: Int64Array, owners: Int64Array, n_docs: int
) -> tuple[Int64Array, Int64Array, FloatArray]:
    """(document, feature, weight) with sublinear tf × idf, each document's row l2-normalised."""
    if block.size == 0 or keys.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    position = block.index.lookup(keys)
    known = position >= 0
    cells, counts = np.unique(owners[known] * block.size + position[known], return_counts=True)
    documents, features = np.divmod(cells, block.size)
    weights = (1.0 + np.log(counts)) * block.idf[features]
    norms = np.sqrt(np.bincount(documents, weights=weights * weights, minlength=n_docs))
    return documents, features, weights / norms[documents]


@dataclass(frozen=True)
class Featurizer:
    config: FeatureConfig
    blocks: tuple[Block, ...]

    @property
    def size(self) -> int:
        return sum(block.size for block in self.blocks)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        streams = textprep.char_streams(texts)
        entries = []
        for block in self.blocks:
            keys, owners = block_keys(block.name, self.config, texts, streams)
            entries.append(_block_entries(block, keys, owners, len(texts)))
        return _matrix(self.blocks, entries, len(texts))


Entries = tuple[Int64Array, Int64Array, FloatArray]


def _matrix(blocks: Sequence[Block], entries: Sequence[Entries], n_docs: int) -> sparse.csr_matrix:
    """The blocks side by side: (documents, all blocks' features)."""
    offsets = np.cumsum([0] + [block.size for block in blocks])
    rows = np.concatenate([documents for documents, _, _ in entries])
    columns = np.concatenate(
        [f + offset for (_, f, _), offset in zip(entries, offsets, strict=False)]
    )
    values = np.concatenate([weights for _, _, weights in entries])
    matrix = sparse.coo_matrix((values, (rows, columns)), shape=(n_docs, int(offsets[-1])))
    return matrix.tocsr()


def fit_transform(
    texts: Sequence[str], config: FeatureConfig, progress: Callable[[str], None] | None = None
) -> tuple[Featurizer, sparse.csr_matrix]:
    """Fit the vocabularies and give the training matrix from the same n-grams (jieba, the
    slow part of word features, runs once)."""
    streams = textprep.char_streams(texts)
    # In a large corpus an n-gram seen in one document only is noise; in a tiny one (a new
    # category's first examples) it may be all there is.
    min_df = config.min_df if len(texts) >= SMALL_CORPUS else 1
    blocks, entries = [], []
    for name in active_blocks(config):
        keys, owners = block_keys(name, config, texts, streams)
        blocks.append(fit_block(name, keys, owners, len(texts), min_df))
        entries.append(_block_entries(blocks[-1], keys, owners, len(texts)))
        if progress is not None:
            progress(f"{name}: {blocks[-1].size} 个特征")
    return Featurizer(config, tuple(blocks)), _matrix(blocks, entries, len(texts))


def fit_featurizer(
    texts: Sequence[str], config: FeatureConfig, progress: Callable[[str], None] | None = None
) -> Featurizer:
    return fit_transform(texts, config, progress)[0]
