"""Which number format the dense model computes in on this CPU: fp32, or bf16 where it is fast.

bf16 halves the bytes every matrix product moves and, on CPUs with native bf16 instructions
(AVX512-BF16, AMX), roughly quadruples encoding throughput while keeping cosine similarity to the
fp32 vectors at about 0.997 (see `benchmarks/encode_speed.py` and `encode_quality.py`). Without
those instructions bf16 is emulated and slower than fp32, so `auto` checks the CPU first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from matcher.errors import MatcherError

log = logging.getLogger(__name__)

Precision = Literal["auto", "fp32", "bf16"]
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16")

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


def choose_precision(
    requested: str, *, detect: Callable[[], CpuSupport] = detect_bf16
) -> Literal["fp32", "bf16"]:
    """The precision to compute in: `auto` becomes bf16 where `detect` says the CPU runs it
    fast and fp32 elsewhere; fp32 and bf16 are taken as asked."""
    if requested not in PRECISIONS:
        raise MatcherError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested != "auto":
        log.info("encoder precision %s (as configured)", requested)
        return requested  # type: ignore[return-value]
    support = detect()
    chosen: Literal["fp32", "bf16"] = "bf16" if support.bf16 else "fp32"
    log.info("encoder precision %s (auto: %s)", chosen, support.reason)
    return chosen
