"""`lcmatch allocate ROUND_FILE --out TEAMS_FILE`: teams for a round, solved outside the service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.errors import MatcherError


def allocate_command(
    round_file: Annotated[Path, typer.Argument(help="The round (JSON; see docs/allocation.md).")],
    out: Annotated[Path, typer.Option("--out", help="Write the teams (JSON) here.")],
    time_limit: Annotated[
        float | None, typer.Option(help="Seconds the solver may take (default: the file's).")
    ] = None,
) -> None:
    """Propose teams for a round, with every rule kept and every choice explained."""
    from matcher.allocation.run import solve_file

    try:
        result = solve_file(round_file, out, time_limit_s=time_limit)
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    if result["status"] == "infeasible":
        for reason in result["infeasible"]:
            typer.echo(f"infeasible: {reason['en']}", err=True)
        raise typer.Exit(code=1)
    figures = result["figures"]
    typer.echo(
        f"{len(result['teams'])} teams, {figures['students_placed']:.0%} of students placed, "
        f"{len(result['violations'])} violations; status {result['status']}, "
        f"gap {result['solver']['gap']:.2%} → {out}"
    )
