"""The `lcmatch` command."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matcher.cache import CachedEncoder, SqliteEmbeddingStore
from matcher.encoders import SentenceEncoder
from matcher.errors import MatcherError
from matcher.evaluation import load_benchmark, run_benchmark, score_run, write_run
from matcher.ranker import HybridRanker, Weights
from service.settings import Settings

app = typer.Typer(help="lcmatch: matchmaking for learning communities.", no_args_is_help=True)


class Method(StrEnum):
    dense = "dense"
    lexical = "lexical"
    hybrid = "hybrid"


@app.callback()
def main() -> None:
    """lcmatch: matchmaking for learning communities."""


def build_encoder(settings: Settings) -> CachedEncoder:
    """The configured dense model behind the on-disk embedding cache."""
    encoder = SentenceEncoder(
        model=settings.model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
    )
    return CachedEncoder(encoder=encoder, store=SqliteEmbeddingStore(settings.embedding_cache))


@app.command("eval")
def evaluate(
    bench_dir: Annotated[Path, typer.Argument(help="A folder in the BEIR layout.")],
    split: Annotated[str, typer.Option(help="Judgements to use: qrels/SPLIT.tsv.")] = "dev",
    method: Annotated[Method, typer.Option(help="Which scores rank.")] = Method.hybrid,
    run_out: Annotated[
        Path | None, typer.Option("--run-out", help="Write the top 100 per query here (TREC run).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Rank the whole corpus for each judged query and print MRR, nDCG@10 and recall@100."""
    settings = Settings()
    try:
        benchmark = load_benchmark(bench_dir, split)
        weights = (
            settings.weights() if method is Method.hybrid else Weights.for_method(method.value)
        )
        encoder = build_encoder(settings) if weights.dense > 0 else None
        ranker = HybridRanker(encoder=encoder, weights=weights)
        run = run_benchmark(ranker, benchmark, progress=progress)
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    if run_out is not None:
        run_out.parent.mkdir(parents=True, exist_ok=True)
        with run_out.open("w", encoding="utf-8") as out:
            write_run(run, out, tag=f"lcmatch-{method.value}")
    scores = score_run(run, benchmark.qrels)
    json.dump(scores.as_json(), sys.stdout)
    sys.stdout.write("\n")
