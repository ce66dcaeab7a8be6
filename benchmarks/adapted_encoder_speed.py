"""Encoding speed of the shipped adapted model against its base model, in the same run.

The adapted model is the base model plus one 384 x 384 linear layer, so the ratio should be
about 1. Prints JSON: texts per second of each (median of rounds, alternating so that load
on a shared machine hits both alike) and adapted/base.

    python benchmarks/adapted_encoder_speed.py [--rounds 3] [--texts 256]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from matcher.encoders import SentenceEncoder
from matcher.model_files import ADAPTED_MODEL, BASE_MODEL
from matcher.training.data import read_esco_skills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--texts", type=int, default=256)
    args = parser.parse_args()
    labels = [skill["label_nl"] for skill in read_esco_skills() if skill["label_nl"]]
    texts = labels[: args.texts]
    encoders = {name: SentenceEncoder(model=name) for name in (BASE_MODEL, ADAPTED_MODEL)}
    for encoder in encoders.values():
        encoder.encode(texts[:32])  # load the weights outside the timing
    speeds: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(texts)
            speeds[name].append(len(texts) / (time.perf_counter() - started))
    median = {name: statistics.median(values) for name, values in speeds.items()}
    print(
        json.dumps(
            {
                "texts": len(texts),
                "rounds": args.rounds,
                "texts_per_second": {name: round(value, 1) for name, value in median.items()},
                "adapted_over_base": round(median[ADAPTED_MODEL] / median[BASE_MODEL], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
