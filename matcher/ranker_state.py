"""A fitted ranker's learned state in one file, so a restart reads it instead of learning it.

`save_state` writes what `HybridRanker.fit` learned (the n-gram vocabulary and weights, the
skill weights, the corpus statistics, the weighted rows, the HNSW graph) with a fingerprint the
caller makes of what the ranker was fitted on; `load_state` fills an unfitted ranker from it
only when the fingerprint, this code's version and the row ids all agree, and raises
`StateError` otherwise, so that the caller fits afresh. The file is a NumPy zip written to a
temporary name and renamed: a reader sees a whole file or none, and the zip's checksums catch
a damaged one. Nothing in it is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from matcher.errors import MatcherError
from matcher.index import Attributes, VectorIndex
from matcher.lexical import CharTfidfEncoder
from matcher.paths import esco_skills_path
from matcher.ranker import HybridRanker
from matcher.scoring import HybridScorer
from matcher.skills import default_tagger
from matcher.sparse_rows import SparseRows
from matcher.statistics import DenseStatistics, SparseStatistics

#: Raised with every change to what the file holds or how it is read.
FORMAT = 1
#: The modules whose code decides what a fit learns: a new version of any of them refits.
_LEARNING_MODULES = ("lexical", "skills", "scoring", "statistics", "ranker", "sparse_rows")


class StateError(MatcherError):
    """A saved state that may not be used: missing, damaged, or fitted on something else."""


@cache
def code_version() -> str:
    """A digest of the file format, the code that learns and the shipped skill list."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    here = Path(__file__).parent
    for name in _LEARNING_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    digest.update(Path(esco_skills_path()).read_bytes())
    return digest.hexdigest()


def _csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}.data": matrix.data,
        f"{prefix}.indices": matrix.indices,
        f"{prefix}.indptr": matrix.indptr,
        f"{prefix}.shape": np.asarray(matrix.shape, dtype=np.int64),
    }


def _csr(stored: dict[str, np.ndarray], prefix: str) -> sp.csr_matrix:
    shape = tuple(int(n) for n in stored[f"{prefix}.shape"])
    return sp.csr_matrix(
        (stored[f"{prefix}.data"], stored[f"{prefix}.indices"], stored[f"{prefix}.indptr"]),
        shape=shape,
    )


def save_state(ranker: HybridRanker, path: Path, fingerprint: str) -> None:
    """Write a freshly fitted ranker's learned state to `path` (atomically), under the
    caller's fingerprint of what it was fitted on."""
    ranker._fitted()
    if ranker._changes:
        raise MatcherError("only a ranker as `fit` or `refit` left it can be saved")
    index = ranker._index()
    scorer = ranker.scorer_
    meta = {
        "format": FORMAT,
        "code": code_version(),
        "fingerprint": fingerprint,
        "rows": len(index),
        "components": sorted(ranker._rows),
        "dense": scorer.dense_ is not None,
        "approximate": index.approximate,
        "common_words": sorted(ranker.common_words_),
        "version": ranker.version_,
    }
    arrays: dict[str, np.ndarray] = {"ids": np.asarray(index.ids, dtype=str)}
    dense = index.dense_statistics()
    arrays["index.sum"], arrays["index.gram"] = dense.sum, dense.gram
    if index.approximate:
        for name, array in index._graph.arrays().items():
            arrays[f"graph.{name}"] = np.asarray(array)
    if scorer.dense_ is not None:
        arrays["dense.sum"], arrays["dense.gram"] = scorer.dense_.sum, scorer.dense_.gram
    for name, rows in ranker._rows.items():
        arrays |= _csr_arrays(f"rows.{name}", rows.matrix())
        statistics = scorer.sparse_[name]
        arrays[f"stats.{name}.sum"] = statistics.sum
        arrays |= _csr_arrays(f"stats.{name}.sample_t", statistics.sample_t)
    if scorer.lexical_ is not None:
        lexical = scorer.lexical_
        grams = sorted(lexical.vocabulary_, key=lexical.vocabulary_.__getitem__)
        arrays["lexical.grams"] = np.asarray(grams, dtype=str)
        arrays["lexical.idf"] = lexical.weighting_.idf_
        meta["lexical"] = {
            "ngram_range": list(lexical.ngram_range),
            "sublinear_tf": lexical.sublinear_tf,
            "min_df": lexical.min_df,
        }
    if scorer.skill_weighting_ is not None:
        arrays["skill.idf"] = scorer.skill_weighting_.idf_
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict[str, np.ndarray]:
    """Every array of the file, each checked against the zip's checksum as it is read."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        raise StateError(f"no saved state at {path}") from None
    except Exception as error:  # a damaged zip raises any of several kinds
        raise StateError(f"the saved state {path} cannot be read: {error}") from error


def _transformer(idf: np.ndarray, sublinear_tf: bool) -> TfidfTransformer:
    weighting = TfidfTransformer(sublinear_tf=sublinear_tf)
    weighting.idf_ = np.asarray(idf, dtype=np.float64)
    weighting.n_features_in_ = idf.shape[0]
    return weighting


def load_state(
    ranker: HybridRanker,
    path: Path,
    fingerprint: str,
    ids: Sequence[str],
    texts: Sequence[str],
    *,
    vectors: np.ndarray | None = None,
    attributes: Sequence[Attributes] | None = None,
) -> HybridRanker:
    """Fill an unfitted ranker with the state saved at `path`, as `fit` on these rows (in this
    order) would leave it; `StateError` when the state is missing, damaged or was fitted on
    anything else (another fingerprint, code version or row ids). `vectors` may be None only
    when the saved index was approximate (its graph holds them)."""
    stored = _read(Path(path))
    try:
        meta = json.loads(stored.pop("meta").tobytes())
    except (KeyError, ValueError) as error:
        raise StateError(f"the saved state {path} has no readable description") from error
    if meta.get("format") != FORMAT or meta.get("code") != code_version():
        raise StateError(f"the saved state {path} was written by another version")
    if meta.get("fingerprint") != fingerprint:
        raise StateError(f"the saved state {path} was fitted on other rows or settings")
    ids = list(ids)
    if len(ids) != len(texts) or stored["ids"].tolist() != ids:
        raise StateError(f"the saved state {path} holds other rows")
    try:
        return _restore(ranker, stored, meta, ids, texts, vectors, attributes)
    except StateError:
        raise
    except Exception as error:  # whatever is inconsistent in a file that passed the checks
        raise StateError(f"the saved state {path} does not fit: {error}") from error


def _restore(
    ranker: HybridRanker,
    stored: dict[str, np.ndarray],
    meta: dict,
    ids: list[str],
    texts: Sequence[str],
    vectors: np.ndarray | None,
    attributes: Sequence[Attributes] | None,
) -> HybridRanker:
    graph = None
    if meta["approximate"]:
        from matcher.ann.hnsw import HnswRows

        prefix = "graph."
        graph = HnswRows.from_arrays(
            {name[len(prefix) :]: a for name, a in stored.items() if name.startswith(prefix)},
            ranker.ann_,
        )
    elif vectors is None:
        raise StateError("an exact index needs the rows' vectors")
    index_dense = DenseStatistics(rows=len(ids), sum=stored["index.sum"], gram=stored["index.gram"])
    index = VectorIndex.restored(
        ids, vectors, attributes, dense=index_dense, ann=ranker.ann_, graph=graph
    )
    if index.approximate != (len(ids) >= ranker.ann_.threshold):
        raise StateError("the saved index does not follow these ann settings")
    tagger = ranker.tagger if ranker.tagger is not None else default_tagger()
    scorer = HybridScorer(
        weights=ranker.weights_,
        tagger=tagger,
        lexical=ranker.lexical,
        sample_size=ranker.moment_sample,
    )
    scorer.lexical_ = None
    scorer.skill_weighting_ = None
    if "lexical.grams" in stored:
        settings = meta["lexical"]
        lexical = CharTfidfEncoder(
            ngram_range=tuple(settings["ngram_range"]),
            sublinear_tf=settings["sublinear_tf"],
            min_df=settings["min_df"],
        )
        grams = stored["lexical.grams"].tolist()
        lexical.vocabulary_ = dict(zip(grams, range(len(grams)), strict=True))
        lexical.weighting_ = _transformer(stored["lexical.idf"], lexical.sublinear_tf)
        scorer.lexical_ = lexical
    if "skill.idf" in stored:
        scorer.skill_weighting_ = _transformer(stored["skill.idf"], True)
    scorer.dense_ = (
        DenseStatistics(rows=len(ids), sum=stored["dense.sum"], gram=stored["dense.gram"])
        if meta["dense"]
        else None
    )
    rows: dict[str, SparseRows] = {}
    scorer.sparse_ = {}
    for name in meta["components"]:
        matrix = _csr(stored, f"rows.{name}")
        if matrix.shape[0] != len(ids):
            raise StateError(f"the saved {name} rows are not {len(ids)}")
        rows[name] = SparseRows.of(matrix)
        scorer.sparse_[name] = SparseStatistics(
            rows=len(ids),
            sum=stored[f"stats.{name}.sum"],
            sample_t=_csr(stored, f"stats.{name}.sample_t"),
        )
    scorer.rows_ = len(ids)
    ranker.tagger_ = tagger
    ranker.texts_ = dict(zip(ids, texts, strict=True))
    ranker.index_ = index
    ranker.scorer_ = scorer
    ranker.common_words_ = frozenset(meta["common_words"])
    ranker._rows = rows
    ranker._fitted_rows = len(ids)
    ranker._changes = 0
    ranker.version_ = int(meta["version"])
    return ranker
