"""Which number format the dense model computes in on this CPU: fp32, or bf16 where it is fast.

bf16 halves the bytes every matrix product moves and, on CPUs with native bf16 instructions
(AVX512-BF16, AMX) raises encoding throughput (about 2x here without AMX; the issue measured 3.8x
on a CPU with AMX) while keeping cosine similarity to the fp32 vectors at about 0.998 (see
`benchmarks/encode_speed.py` and `encode_quality.py`). Without
those instructions bf16 is emulated and slower than fp32, so `auto` checks the CPU first.

Where `openvino` is installed, `auto` on such a CPU takes `openvino-bf16` instead: the model's
transformer computed by OpenVINO's CPU plugin in bf16 (`matcher.openvino_encoder`), about 1.5x
torch's bf16 on a CPU with AVX512-BF16 but no AMX, and closer to fp32 (cosine 0.9999). Without
openvino, or where it fails to load, the torch route serves. `openvino-int8` (int8 weights and
activations via nncf, fp32 elsewhere; about 1.4x openvino-bf16) is for the benchmarks only: it
moved dense nDCG@10 on esco-challenge-profile by 0.006, past the quality gate's 0.005, so `auto`
never picks it and the service's settings do not offer it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from matcher.errors import MatcherError
from matcher.openvino_encoder import missing

log = logging.getLogger(__name__)

Precision = Literal["auto", "fp32", "bf16", "openvino-bf16", "openvino-int8"]
Route = Literal["fp32", "bf16", "openvino-bf16", "openvino-int8"]
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16", "openvino-bf16", "openvino-int8")

#: CPU flags (as Linux names them in /proc/cpuinfo) of native bf16 arithmetic.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@dataclass(frozen=True)
class CpuSupport:
    """Whether this CPU computes bf16 natively, and the evidence, for the start-up log."""

    bf16: bool
    reason: str


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The feature flags of the first CPU listed; empty where the file does not exist."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def detect_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> CpuSupport:
    """Whether bf16 runs fast here: a native bf16 flag and a torch build whose oneDNN uses it."""
    native = sorted(set(BF16_FLAGS) & cpu_flags(cpuinfo))
    if not native:
        return CpuSupport(False, f"no native bf16 instructions ({' or '.join(BF16_FLAGS)})")
    import torch

    # Both checks: a flag the kernel reports is of no use if this torch's oneDNN cannot use it.
    onednn = torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    if not onednn:
        return CpuSupport(False, "this torch build has no oneDNN bf16 kernels")
    return CpuSupport(True, f"CPU has {', '.join(native)}")


def openvino_missing() -> str | None:
    """The package the OpenVINO route lacks here (None: it can run)."""
    return missing("fp32")


def choose_precision(
    requested: str,
    *,
    detect: Callable[[], CpuSupport] = detect_bf16,
    openvino: Callable[[], str | None] = openvino_missing,
) -> Route:
    """The route to compute by: `auto` becomes openvino-bf16 where `detect` says the CPU runs
    bf16 fast and `openvino` finds the package, torch's bf16 where only the first holds, and fp32
    elsewhere; anything else is taken as asked."""
    if requested not in PRECISIONS:
        raise MatcherError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested != "auto":
        log.info("encoder precision %s (as configured)", requested)
        return requested  # type: ignore[return-value]
    support = detect()
    if not support.bf16:
        log.info("encoder precision fp32 (auto: %s)", support.reason)
        return "fp32"
    lacking = openvino()
    chosen: Route = "bf16" if lacking else "openvino-bf16"
    why = f"{lacking} is not installed" if lacking else "openvino is installed"
    log.info("encoder precision %s (auto: %s; %s)", chosen, support.reason, why)
    return chosen


def fallback_of(route: str) -> Route:
    """The torch route that serves when an OpenVINO route cannot load: bf16 where the CPU runs
    it natively (as `auto` would choose without openvino), else fp32."""
    if not route.startswith("openvino"):
        return route  # type: ignore[return-value]
    return choose_precision("auto", openvino=lambda: "openvino (failed to load)")
