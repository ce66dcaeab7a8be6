"""`lcmatch train encoder` and `lcmatch train fusion` (the `train` sub-command)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from matcher.cache import CachedEncoder, SqliteEmbeddingStore
from matcher.encoders import SentenceEncoder
from matcher.errors import MatcherError
from matcher.fusion import FUSION_PATH
from matcher.model_files import ADAPTED_MODEL, BASE_MODEL, E5_MODEL
from matcher.paths import PROJECT_ROOT
from service.settings import Settings

train_app = typer.Typer(help="Adapt the dense encoder and fit the fusion on dev data.")

MODELS = PROJECT_ROOT / "models"
DEFAULT_BENCH = PROJECT_ROOT.parent / "shared" / "benchmarks"
BenchOption = Annotated[
    Path, typer.Option("--bench-dir", help="Folder holding the benchmarks (BEIR layout).")
]
CvOption = Annotated[
    Path, typer.Option("--cv-dir", help="Where the fold models' benchmark vectors are kept.")
]
PrecisionOption = Annotated[
    str,
    typer.Option(
        help="The base model's number format (fp32, bf16, auto, openvino-bf16: as "
        "LCMATCH_PRECISION); zero-shot and fusion must agree, the cache keeps each apart.",
    ),
]


def base_encoder(
    settings: Settings, base: str = BASE_MODEL, precision: str = "fp32"
) -> CachedEncoder:
    """The base model behind the eval embedding cache: training reads its vectors."""
    encoder = SentenceEncoder(model=base, batch_size=settings.batch_size, precision=precision)
    return CachedEncoder(encoder=encoder, store=SqliteEmbeddingStore(settings.embedding_cache))


def _log(message: str) -> None:
    typer.echo(message, err=True)


@train_app.command("encoder")
def train_encoder_command(
    config: Annotated[
        str,
        typer.Option(
            help="full (the MiniLM recipe), challenge (a sample weighted to the challenge "
            "judgements, 256 training tokens), challenge-hn (challenge plus a hard negative "
            "per challenge pair, mined with the lexical ranker), linear (the linear map "
            "alone, no fine-tuning), tiny (a smoke run); with --base multilingual-e5-small: "
            "e5, e5-melo or e5-melo2 (the shipped lcmatch-e5-nl: MELO judgements weighted up)."
        ),
    ] = "full",
    seed: Annotated[int, typer.Option(help="Seeds batches and initial state.")] = 0,
    base: Annotated[
        str,
        typer.Option(
            help=f"The model to adapt: {BASE_MODEL} or a model in models/ such as "
            f"{E5_MODEL} (with --config e5), or a folder.",
        ),
    ] = BASE_MODEL,
    out: Annotated[Path, typer.Option(help="The model folder to write.")] = MODELS / ADAPTED_MODEL,
    folds: Annotated[
        int, typer.Option(help="Cross-validation folds over dev queries (0: none).")
    ] = 3,
    bench_dir: BenchOption = DEFAULT_BENCH,
    cv_dir: CvOption = Path("var/cv"),
    threads: Annotated[
        int,
        typer.Option(
            help="CPU threads for torch (0: torch's default). On a machine busy with other "
            "work, 1 thread trains several times faster than threads that wait on each other.",
            min=0,
        ),
    ] = 0,
    folds_only: Annotated[
        bool,
        typer.Option(
            "--folds-only",
            help="Train the fold models alone (their vectors and training.json go to "
            "--cv-dir): a recipe's cross-validated figures without the shipped model.",
        ),
    ] = False,
    fold: Annotated[
        int | None,
        typer.Option(
            help="With --folds-only: train this one fold model (0-based), a paired pilot "
            "against the same fold of an earlier run.",
            min=0,
        ),
    ] = None,
) -> None:
    """Fine-tune the base model on Dutch (ESCO parallel text, MELO synonyms, dev judgements)."""
    from matcher.precision import choose_precision
    from matcher.training.pipeline import train_encoder
    from matcher.training.trainer import config_named

    if folds == 1 or folds < 0:
        typer.echo(f"error: --folds must be 0 or at least 2, not {folds}", err=True)
        raise typer.Exit(code=2)
    if folds_only and folds < 2:
        typer.echo(f"error: --folds-only needs --folds 2 or more, not {folds}", err=True)
        raise typer.Exit(code=2)
    if fold is not None and not (folds_only and fold < folds):
        typer.echo(f"error: --fold needs --folds-only and a fold below --folds ({folds})", err=True)
        raise typer.Exit(code=2)
    if threads:
        import torch

        torch.set_num_threads(threads)
    settings = Settings()
    try:
        summary = train_encoder(
            bench_root=bench_dir,
            out=out,
            cv_dir=cv_dir,
            encoder=base_encoder(settings, base),
            base_model=base,
            config=config_named(config),
            seed=seed,
            folds=folds,
            command="lcmatch train encoder " + " ".join(sys.argv[3:]),
            # the fold models' vectors in the precision `lcmatch eval` encodes in
            bf16_vectors=choose_precision(settings.precision) == "bf16",
            folds_only=folds_only,
            only_fold=fold,
            log=_log,
        )
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    if folds_only:
        trained = f"fold model {fold}" if fold is not None else f"{folds} fold models"
        typer.echo(f"wrote {cv_dir} ({trained}, {summary['seconds_total']} s)")
        return
    typer.echo(f"wrote {out} ({summary['training']['pairs']} pairs, {summary['seconds_total']} s)")


@train_app.command("zero-shot")
def zero_shot_command(
    base: Annotated[str, typer.Option(help="The model, used as it is.")] = E5_MODEL,
    folds: Annotated[int, typer.Option(help="Cross-validation folds over dev queries.")] = 3,
    bench_dir: BenchOption = DEFAULT_BENCH,
    cv_dir: CvOption = Path("var/cv-zero-shot"),
    precision: PrecisionOption = "fp32",
) -> None:
    """Give every fold the base model's own vectors, for `train fusion --base` to refit the
    hybrid by cross-validation without adapting the model."""
    from matcher.training.pipeline import zero_shot_folds

    try:
        zero_shot_folds(
            bench_root=bench_dir,
            cv_dir=cv_dir,
            encoder=base_encoder(Settings(), base, precision),
            folds=folds,
            log=_log,
        )
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"wrote {cv_dir} ({folds} folds of {base}'s own vectors)")


@train_app.command("fusion")
def train_fusion_command(
    bench_dir: BenchOption = DEFAULT_BENCH,
    cv_dir: CvOption = Path("var/cv"),
    out: Annotated[Path, typer.Option(help="Where the weights go.")] = FUSION_PATH,
    figures: Annotated[Path, typer.Option(help="Where the table goes.")] = MODELS / "figures.json",
    model: Annotated[Path, typer.Option(help="The trained model folder.")] = MODELS / ADAPTED_MODEL,
    base: Annotated[
        str, typer.Option(help="The base model the fold models were adapted from.")
    ] = BASE_MODEL,
    precision: PrecisionOption = "fp32",
) -> None:
    """Fit the hybrid's weights by cross-validation and write the README table."""
    from matcher.training.pipeline import train_fusion

    try:
        report = train_fusion(
            bench_root=bench_dir,
            cv_dir=cv_dir,
            encoder=base_encoder(Settings(), base, precision),
            out=out,
            figures_out=figures,
            training_json=model / "training.json",
            log=_log,
        )
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"wrote {out}: weights {report['weights']}; table in {figures}")
