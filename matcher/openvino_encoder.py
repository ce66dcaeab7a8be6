"""The transformer of a sentence-transformers model run by OpenVINO's CPU plugin.

Only the transformer (the word-piece encoder, nearly all of the compute) moves to OpenVINO; the
model's own tokenizer still prepares the inputs and its own pooling, dense and normalising
modules still turn the token vectors into sentence vectors, so the steps around the network stay
exactly those of sentence-transformers. OpenVINO's plugin computes bf16 natively on
AVX512-BF16 and fuses attention, where torch's bf16 path on a CPU without AMX does neither.

Conversion (`openvino.convert_model`, seconds) and int8 quantisation (`nncf`, half a minute) are
done once and the result kept in a folder; `openvino` and `nncf` are optional: `missing()` says
which one is absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from matcher.model_files import weights_digest
from matcher.paths import data_dir

#: The transformer's inputs, as the model's tokenizer names them.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
Weights = Literal["fp32", "int8"]
Compute = Literal["fp32", "bf16"]


def missing(weights: Weights = "fp32") -> str | None:
    """The package an OpenVINO route with these weights lacks here, or None when it can run."""
    needed = ("openvino", "nncf") if weights == "int8" else ("openvino",)
    for package in needed:
        try:
            if importlib.util.find_spec(package) is None:
                return package
        except ValueError:  # set to None in sys.modules: Python refuses to import it
            return package
    return None


def _network(transformer):
    """The transformer as a module of plain tensors in, token vectors out (what OpenVINO
    traces): the Hugging Face model returns a dictionary-like object."""
    import torch

    class TokenVectors(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                return_dict=True,
            ).last_hidden_state

    return TokenVectors(transformer.model.float().eval())


def _token_inputs(transformer, texts: Sequence[str]) -> dict[str, np.ndarray]:
    features = transformer.preprocess(list(texts))
    return {name: features[name].numpy() for name in INPUT_NAMES}


def convert(
    sentence_model,
    folder: Path,
    *,
    weights: Weights = "fp32",
    calibration: Sequence[str] = (),
) -> Path:
    """Write the model's transformer as an OpenVINO model into `folder` (model.xml/.bin) and
    return the xml's path; an existing conversion is reused. The folder appears whole or not at
    all (written beside it, then renamed), so a crash or a second process never leaves half a
    model. int8 quantises weights and activations with nncf, calibrated on `calibration`."""
    import openvino as ov
    import torch

    target = folder / "model.xml"
    if target.is_file():
        return target
    if weights == "int8" and not calibration:
        raise ValueError("int8 quantisation needs calibration texts")
    folder.parent.mkdir(parents=True, exist_ok=True)  # fails here, before the work, if it must
    transformer = sentence_model[0]
    example = {
        name: torch.from_numpy(rows) for name, rows in _token_inputs(transformer, ["a b"]).items()
    }
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns that two checks in transformers' masking become constants: both
        # hold for every input here (a mask is always given, no cached keys), so they may.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        network = ov.convert_model(
            _network(transformer),
            example_input=example,
            input=[(name, [-1, -1], ov.Type.i64) for name in INPUT_NAMES],
        )
    if weights == "int8":
        import nncf

        batches = [
            _token_inputs(transformer, calibration[start : start + 8])
            for start in range(0, len(calibration), 8)
        ]
        # nncf draws progress bars on stdout, which benchmarks keep for their JSON.
        with contextlib.redirect_stdout(sys.stderr):
            network = nncf.quantize(
                network,
                nncf.Dataset(batches),
                model_type=nncf.ModelType.TRANSFORMER,
                subset_size=len(batches),
            )
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        ov.save_model(network, str(staging / "model.xml"), compress_to_fp16=False)
        staging.chmod(0o755)  # mkdtemp makes it private; the cache is as readable as var/
        try:
            os.rename(staging, folder)
        except OSError:
            if not target.is_file():  # not another process finishing first: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def attach(sentence_model, model_xml: Path, *, compute: Compute = "bf16", threads: int = 0):
    """Make `sentence_model` compute its transformer with OpenVINO from `model_xml`, in
    `compute` precision (bf16: the plugin's native bf16 kernels); returns the model."""
    import openvino as ov
    import torch

    config = {
        "INFERENCE_PRECISION_HINT": "bf16" if compute == "bf16" else "f32",
        "PERFORMANCE_HINT": "LATENCY",  # one request at a time on all threads
    }
    if threads:
        config["INFERENCE_NUM_THREADS"] = threads
    compiled = ov.Core().compile_model(str(model_xml), "CPU", config)
    # An infer request holds buffers and must not serve two threads at once: one per thread.
    requests = threading.local()
    transformer = sentence_model[0]

    def forward(features: dict, **_: object) -> dict:
        request = getattr(requests, "request", None)
        if request is None:
            request = requests.request = compiled.create_infer_request()
        inputs = {name: features[name].numpy() for name in INPUT_NAMES}
        rows = request.infer(inputs, share_inputs=True)[0]
        # The request reuses its output buffer on the next call: copy before handing it on.
        features[transformer.module_output_name] = torch.from_numpy(np.array(rows))
        return features

    transformer.forward = forward
    sentence_model.openvino_compiled_ = compiled
    return sentence_model


def calibration_texts(count: int = 96) -> list[str]:
    """Dutch texts to calibrate int8 on: the demo challenges' descriptions and students'
    profiles (fictional, shipped in data/demo), long and short alike."""
    import json

    demo = data_dir() / "demo"
    texts = [
        row["description"] for row in json.loads((demo / "challenges.json").read_text("utf-8"))
    ]
    texts += [row["about"] for row in json.loads((demo / "students.json").read_text("utf-8"))]
    return texts[: count // 2] + texts[-(count - count // 2) :]


def load(model_path: str, route: str, cache_root: Path):
    """A sentence-transformers model whose transformer OpenVINO computes on `route`
    (openvino-bf16: fp32 weights computed in bf16; openvino-int8: int8 weights and activations,
    fp32 elsewhere), converted on first use into `cache_root` and reused after."""
    import torch
    from sentence_transformers import SentenceTransformer

    weights: Weights = "int8" if route == "openvino-int8" else "fp32"
    lacking = missing(weights)
    if lacking:
        raise ImportError(f"the {route} route needs the package {lacking}")
    model = SentenceTransformer(model_path, device="cpu").float()
    folder = Path(model_path)
    version = weights_digest(folder) if folder.is_dir() else "hub"
    calibration = calibration_texts() if weights == "int8" else ()
    # int8 depends on its calibration texts too: other texts, another folder.
    calibrated = hashlib.sha256("\n".join(calibration).encode()).hexdigest()[:8]
    kind = f"int8-{calibrated}" if calibration else weights
    xml = convert(
        model,
        cache_root / f"{folder.name}@{version}" / kind,
        weights=weights,
        calibration=calibration,
    )
    # As many threads as torch was given (`--threads`, OMP_NUM_THREADS), not OpenVINO's own count.
    compute: Compute = "bf16" if route == "openvino-bf16" else "fp32"
    return attach(model, xml, compute=compute, threads=torch.get_num_threads())
