"""Encoding throughput of the default model on the CPU routes, against plain fp32 in the same run.

    python benchmarks/encode_speed.py [--quick] [--rounds N] [--routes fp32,bf16,...]
        [--other-model multilingual-e5-small --other-routes fp32,bf16,...]

Times ~150-word Dutch paragraphs and ~20-word Dutch texts (windows of the demo data) through:

- fp32: plain sentence-transformers, batch 32, torch's default threads (the baseline);
- fp32-1thread: the same on one thread (what a second thread buys);
- bf16-autocast: the fp32 weights under `torch.autocast(bfloat16)`;
- bf16, bf16-batch16, bf16-batch64: the weights cast to bfloat16;
- int8-dynamic: torch's dynamic int8 quantisation of every Linear layer (VNNI kernels);
- bf16-compile: the bf16 model through `torch.compile` (inductor);
- onnx, onnx-int8: sentence-transformers' ONNX backend, and its dynamic int8 quantisation
  (skipped, saying why, where `onnxruntime`/`optimum` are missing: installing them downgrades
  sentence-transformers, so they are measured in a separate venv, see the README);
- openvino-fp32, openvino-bf16: the transformer converted to OpenVINO (`matcher.openvino_encoder`)
  and computed by its CPU plugin in fp32 or in native bf16; tokenizer, pooling, dense and
  normalising layers stay sentence-transformers' own;
- openvino-int8, openvino-int8-bf16: the same quantised to int8 by nncf (weights and
  activations, calibrated on other demo texts than the timed ones), the rest in fp32 or bf16
  (the OpenVINO routes are skipped, saying why, where `openvino` or `nncf` is missing; nncf is
  not a project dependency, as int8 failed the quality gate: `pip install nncf==3.4.0`);
- lcmatch: `SentenceEncoder(precision="auto")`, the route the service takes on this CPU.

`--other-model` times a second model's routes in the same rounds (named `MODEL:route`, their
ratio against the default model's fp32, their vectors compared with their own model's fp32;
texts carry the model's passage prompt, e5's "passage: ").

Rounds interleave the routes, and each ratio is the median over rounds of (route / fp32 of the
same round): the machine is shared, and interleaving keeps a busy moment from favouring one
route. Each route also reports how close its vectors are to fp32's (cosine, top-10 agreement).
Prints one JSON object and writes it to benchmarks/results/encode_speed.json
(`--quick`: a few texts, one round, results/encode_speed.quick.json).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from _dutch_texts import word_windows
from _results import publish

from matcher.encoders import DEFAULT_MODEL, SentenceEncoder, model_prompts, resolve_model_path
from matcher.precision import detect_bf16

ROUTES = (
    "fp32",
    "fp32-1thread",
    "bf16-autocast",
    "bf16",
    "bf16-batch16",
    "bf16-batch64",
    "int8-dynamic",
    "bf16-compile",
    "onnx",
    "onnx-int8",
    "openvino-fp32",
    "openvino-bf16",
    "openvino-int8",
    "openvino-int8-bf16",
    "lcmatch",
)
QUICK_ROUTES = ("fp32", "bf16", "lcmatch")
TARGET_RATIO = 4.0

Encode = Callable[[list[str]], np.ndarray]


class Skipped(Exception):
    """A route that cannot run in this environment; the message says why."""


def _sentence_transformer(path: str, **kwargs):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", **kwargs)


def _fp32(path: str):
    """The model in float32, as plain sentence-transformers computes it; lcmatch's own model
    stores its weights in fp16 to stay small, so they are cast."""
    return _sentence_transformer(path).float()


def _plain(model, batch_size: int = 32) -> Encode:
    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(texts, batch_size=batch_size, normalize_embeddings=True)

    return encode


@contextlib.contextmanager
def _threads(count: int):
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _onnx_model(path: str, workdir: Path, quantised: bool):
    """The model through the ONNX backend, exported from its fp32 weights into a folder of its
    own (the model's folder stays untouched)."""
    try:
        import onnxruntime  # noqa: F401
        import optimum  # noqa: F401
    except ImportError as error:
        raise Skipped(
            f"{error.name} is not installed: pip install 'sentence-transformers[onnx]' "
            "(in a separate venv: it downgrades sentence-transformers)"
        ) from None
    folder = workdir / "model"
    if not folder.exists():
        _fp32(path).save(str(folder))
    model = _sentence_transformer(str(folder), backend="onnx")
    if not quantised:
        return model
    from sentence_transformers import export_dynamic_quantized_onnx_model

    export_dynamic_quantized_onnx_model(model, "avx512_vnni", str(folder))
    kwargs = {"file_name": "onnx/model_qint8_avx512_vnni.onnx"}
    return _sentence_transformer(str(folder), backend="onnx", model_kwargs=kwargs)


def _openvino_model(name: str, path: str, workdir: Path):
    """The model with its transformer run by OpenVINO, converted into `workdir` (int8 routes
    share one quantised conversion, fp32/bf16 one plain conversion)."""
    from matcher import openvino_encoder

    weights = "int8" if "int8" in name else "fp32"
    lacking = openvino_encoder.missing(weights)
    if lacking:
        raise Skipped(f"{lacking} is not installed: pip install {lacking}")
    model = _fp32(path)
    calibration = word_windows(48, 150, seed=101) + word_windows(48, 20, seed=102)
    xml = openvino_encoder.convert(
        model, workdir / f"openvino-{weights}", weights=weights, calibration=calibration
    )
    compute = "bf16" if name.endswith("bf16") else "fp32"
    return openvino_encoder.attach(model, xml, compute=compute)


def build_route(name: str, path: str, workdir: Path, model: str = DEFAULT_MODEL) -> Encode:
    """The encode function of a named route (loaded and warmed up by the caller)."""
    if name == "fp32":
        return _plain(_fp32(path))
    if name == "fp32-1thread":
        model = _fp32(path)

        def one_thread(texts: list[str]) -> np.ndarray:
            with _threads(1):
                return model.encode(texts, batch_size=32, normalize_embeddings=True)

        return one_thread
    if name == "bf16-autocast":
        model = _fp32(path)

        def autocast(texts: list[str]) -> np.ndarray:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return model.encode(texts, batch_size=32, normalize_embeddings=True)

        return autocast
    if name.startswith("bf16"):
        batch_size = int(name.removeprefix("bf16-batch")) if "batch" in name else 32
        return _plain(_sentence_transformer(path).to(torch.bfloat16), batch_size)
    if name == "int8-dynamic":
        model = _fp32(path)
        transformer = model[0]
        transformer.model = torch.ao.quantization.quantize_dynamic(
            transformer.model, {torch.nn.Linear}, dtype=torch.qint8
        )
        return _plain(model)
    if name == "bf16-compile":
        model = _sentence_transformer(path).to(torch.bfloat16)
        model[0].model = torch.compile(model[0].model)
        return _plain(model)
    if name in ("onnx", "onnx-int8"):
        return _plain(_onnx_model(path, workdir, quantised=name == "onnx-int8"))
    if name.startswith("openvino"):
        return _plain(_openvino_model(name, path, workdir))
    if name == "lcmatch":
        encoder = SentenceEncoder(model=model, precision="auto", batch_size=32)
        return lambda texts: encoder.encode(texts)
    raise SystemExit(f"unknown route {name!r}; choose from {', '.join(ROUTES)}")


def agreement(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """How close a route's vectors are to fp32's: the lowest cosine, and how much of each
    text's top 10 neighbours (among the texts themselves) is the same."""
    cosine = np.sum(vectors * reference, axis=1)
    k = min(10, len(vectors) - 1)
    if k < 1:
        return {"cosine_min": round(float(cosine.min()), 4)}

    def neighbours(rows: np.ndarray) -> list[set[int]]:
        scores = rows @ rows.T
        np.fill_diagonal(scores, -np.inf)
        return [set(row) for row in np.argsort(-scores, axis=1)[:, :k]]

    overlap = [
        len(a & b) / k for a, b in zip(neighbours(vectors), neighbours(reference), strict=True)
    ]
    return {
        "cosine_min": round(float(cosine.min()), 4),
        "top10_overlap": round(float(np.mean(overlap)), 4),
    }


def measure(routes: dict[str, Encode], texts: list[str], rounds: int) -> dict[str, list[float]]:
    """Texts per second of every route in every round, the routes interleaved."""
    seconds: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(rounds):
        for name, encode in routes.items():
            started = time.perf_counter()
            encode(texts)
            seconds[name].append(time.perf_counter() - started)
    return {name: [len(texts) / s for s in values] for name, values in seconds.items()}


def summarise(speeds: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Median throughput per route, and the median ratio to fp32 of the same round."""
    baseline = speeds["fp32"]
    found = {}
    for name, values in speeds.items():
        ratios = [value / base for value, base in zip(values, baseline, strict=True)]
        found[name] = {
            "texts_per_s": round(statistics.median(values), 2),
            "ratio_vs_fp32": round(statistics.median(ratios), 3),
        }
    return found


def _prompted(encode: Encode, prefix: str, lcmatch: bool) -> Encode:
    """The route's encode with the model's passage prompt in front (lcmatch's own route puts
    it there by itself)."""
    if not prefix or lcmatch:
        return encode
    return lambda texts: encode([prefix + text for text in texts])


def run(
    route_names: list[str],
    *,
    paragraphs: int,
    shorts: int,
    rounds: int,
    other_model: str | None = None,
    other_routes: list[str] = (),
) -> dict:
    """Load every route, time it on both text lengths, and compare its vectors with fp32's."""
    texts = {
        "paragraph_150_words": word_windows(paragraphs, 150, seed=7),
        "short_20_words": word_windows(shorts, 20, seed=11),
    }
    own = ["fp32", *(n for n in route_names if n != "fp32")]
    plan = [(DEFAULT_MODEL, name, name) for name in own]
    if other_model:
        others = ["fp32", *(n for n in other_routes if n != "fp32")]
        plan += [(other_model, name, f"{other_model}:{name}") for name in others]
    routes: dict[str, Encode] = {}
    reference_of: dict[str, str] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="lcmatch-encode-speed-") as workdir:
        for model, name, label in plan:
            try:
                folder = Path(workdir) / model
                encode = build_route(name, resolve_model_path(model), folder, model)
                prefix = model_prompts(model).get("passage", "")
                routes[label] = _prompted(encode, prefix, name == "lcmatch")
                routes[label](texts["short_20_words"][:4])  # load weights, warm the kernels
                reference_of[label] = "fp32" if model == DEFAULT_MODEL else f"{model}:fp32"
            except Skipped as reason:
                skipped[label] = str(reason)
        figures: dict[str, dict] = {name: {} for name in routes}
        for length, batch in texts.items():
            speeds = summarise(measure(routes, batch, rounds))
            references = {ref: routes[ref](batch) for ref in set(reference_of.values())}
            for name, encode in routes.items():
                reference = references[reference_of[name]]
                figures[name][length] = {**speeds[name], **agreement(encode(batch), reference)}
    support = detect_bf16()
    fastest = max(
        (n for n in figures if ":" not in n),
        key=lambda n: figures[n]["paragraph_150_words"]["ratio_vs_fp32"],
    )
    lcmatch = figures.get("lcmatch", {}).get("paragraph_150_words", {})
    return {
        "benchmark": "encode_speed",
        "model": DEFAULT_MODEL,
        **({"other_model": other_model} if other_model else {}),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_bf16": {"native": support.bf16, "reason": support.reason},
        "texts": {length: len(batch) for length, batch in texts.items()},
        "rounds": rounds,
        "baseline": "fp32",
        "routes": figures,
        "skipped": skipped,
        "fastest_on_paragraphs": fastest,
        "lcmatch_route": {
            "precision": SentenceEncoder(precision="auto").precision_,
            "paragraph_ratio_vs_fp32": lcmatch.get("ratio_vs_fp32"),
            "target_ratio": TARGET_RATIO,
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few texts, one round (seconds)")
    parser.add_argument("--rounds", type=int, default=None, help="timing rounds (default 3)")
    parser.add_argument("--routes", default=None, help=f"comma-separated, of: {','.join(ROUTES)}")
    parser.add_argument("--paragraphs", type=int, default=None, help="paragraphs (default 96)")
    parser.add_argument("--shorts", type=int, default=None, help="short texts (default 256)")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here instead")
    parser.add_argument("--other-model", default=None, help="a second model, timed alongside")
    parser.add_argument(
        "--other-routes", default="fp32,bf16,lcmatch", help="the second model's routes"
    )
    args = parser.parse_args(argv)
    names = args.routes.split(",") if args.routes else list(QUICK_ROUTES if args.quick else ROUTES)
    unknown = sorted(set(names) - set(ROUTES))
    if unknown:
        parser.error(f"unknown route(s) {', '.join(unknown)}; choose from {', '.join(ROUTES)}")
    sizes = dict(paragraphs=4, shorts=8) if args.quick else dict(paragraphs=96, shorts=256)
    sizes = {key: getattr(args, key) or value for key, value in sizes.items()}
    rounds = args.rounds or (1 if args.quick else 3)
    others = args.other_routes.split(",") if args.other_model else []
    unknown = sorted(set(others) - set(ROUTES))
    if unknown:
        parser.error(f"unknown route(s) {', '.join(unknown)}; choose from {', '.join(ROUTES)}")
    result = run(names, rounds=rounds, other_model=args.other_model, other_routes=others, **sizes)
    return publish(result, "encode_speed", quick=args.quick, out=args.out)


if __name__ == "__main__":
    main()
