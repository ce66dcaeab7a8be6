"""A warm start for fine-tuning: a linear map learned on the frozen base model's vectors.

The base model's vectors of every training text come from the embedding cache, so the map
(384 x 384, MultipleNegativesRankingLoss) trains in seconds, against minutes per hundred steps
of fine-tuning the transformer on this CPU. Fine-tuning then starts from base model + map (as a
`Dense` layer) and trains every layer: the few steps it can afford refine what the map already
learned instead of starting from the English model.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from matcher.encoders import TextEncoder
from matcher.errors import MatcherError
from matcher.training.data import Pair, batches


@dataclass(frozen=True)
class LinearConfig:
    """How the map is learned (measured in the earlier linear-only runs: more epochs or a
    stronger pull towards the identity moved the figures by less than 0.01)."""

    epochs: int = 8
    batch_size: int = 256
    learning_rate: float = 2e-3
    scale: float = 20.0
    #: pulls the map towards the identity, so what the base model knows is kept
    identity_penalty: float = 1e-4

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Adapter:
    """The learned map: adapted = normalise(base @ weight.T + bias)."""

    weight: np.ndarray
    bias: np.ndarray

    @classmethod
    def identity(cls, dimension: int) -> Adapter:
        return cls(np.eye(dimension, dtype=np.float32), np.zeros(dimension, dtype=np.float32))

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Adapted, L2-normalised rows of base vectors."""
        out = np.asarray(vectors, dtype=np.float32) @ self.weight.T + self.bias
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, weight=self.weight, bias=self.bias)

    @classmethod
    def load(cls, path: Path) -> Adapter:
        with np.load(path) as stored:
            return cls(stored["weight"].astype(np.float32), stored["bias"].astype(np.float32))


def base_vectors(encoder: TextEncoder, pairs: Sequence[Pair]) -> dict[str, np.ndarray]:
    """The base model's vector of every text in the pairs (through the cache, if any)."""
    texts = sorted({text for pair in pairs for text in (pair.anchor, pair.positive)})
    return dict(zip(texts, encoder.encode(texts), strict=True))


def train_adapter(
    pairs: Sequence[Pair],
    vectors: dict[str, np.ndarray],
    config: LinearConfig,
    *,
    seed: int,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[Adapter, dict]:
    """Learn the map with MultipleNegativesRankingLoss (both directions), seeded."""
    import torch

    if len(pairs) < 2:
        raise MatcherError(f"training needs at least 2 pairs, got {len(pairs)}")
    missing = next((t for p in pairs for t in (p.anchor, p.positive) if t not in vectors), None)
    if missing is not None:
        raise MatcherError(f"no base vector for the training text {missing[:60]!r}")
    # Small matrices: one thread is as fast, and does not spin against a busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(pairs, vectors, config, seed=seed, log=log)
    finally:
        torch.set_num_threads(threads)


def _train(pairs, vectors, config: LinearConfig, *, seed: int, log) -> tuple[Adapter, dict]:
    import torch

    random.seed(seed)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    pairs = list(pairs)
    dimension = len(next(iter(vectors.values())))
    layer = torch.nn.Linear(dimension, dimension)
    with torch.no_grad():
        layer.weight.copy_(torch.eye(dimension))
        layer.bias.zero_()
    identity = torch.eye(dimension)
    optimizer = torch.optim.AdamW(layer.parameters(), lr=config.learning_rate, weight_decay=0.0)
    started = time.perf_counter()
    steps, losses = 0, []
    for epoch in range(config.epochs):
        epoch_losses = []
        for batch in batches(pairs, config.batch_size, rng):
            anchors = torch.from_numpy(np.stack([vectors[p.anchor] for p in batch]))
            positives = torch.from_numpy(np.stack([vectors[p.positive] for p in batch]))
            a = torch.nn.functional.normalize(layer(anchors), dim=1)
            b = torch.nn.functional.normalize(layer(positives), dim=1)
            logits = config.scale * a @ b.T
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, target)
                + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2 + config.identity_penalty * ((layer.weight - identity) ** 2).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            epoch_losses.append(loss.item())
            steps += 1
        losses.append(float(np.mean(epoch_losses)))
        log(f"epoch {epoch + 1}/{config.epochs}: loss {losses[-1]:.4f}")
    adapter = Adapter(
        layer.weight.detach().numpy().astype(np.float32).copy(),
        layer.bias.detach().numpy().astype(np.float32).copy(),
    )
    return adapter, {
        "pairs": len(pairs),
        "steps": steps,
        "seconds": round(time.perf_counter() - started, 1),
        "loss_per_epoch": [round(value, 4) for value in losses],
    }


def adapted_model(base_path: str, adapter: Adapter):
    """The base sentence-transformers model with the map as a `Dense` layer, normalised after."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize

    base = SentenceTransformer(base_path, device="cpu")
    modules = list(base)
    if not isinstance(modules[-1], Normalize):
        raise MatcherError(f"the base model {base_path} does not end in Normalize")
    dense = Dense(
        in_features=adapter.weight.shape[1],
        out_features=adapter.weight.shape[0],
        activation_function=torch.nn.Identity(),
        init_weight=torch.from_numpy(adapter.weight),
        init_bias=torch.from_numpy(adapter.bias),
    )
    return SentenceTransformer(modules=[*modules, dense, Normalize()], device="cpu")
