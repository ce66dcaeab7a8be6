"""The encoder notebook runs from a clean kernel, and its table is the README's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "encoder.ipynb"

pytestmark = pytest.mark.slow


def test_the_encoder_notebook_runs_and_shows_the_figures_of_the_readme() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell
    shown = "\n".join(
        str(output.get("text") or output.get("data", {}).get("text/markdown", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    figures = json.loads((REPO / "models" / "figures.json").read_text())["table"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for bench, metric in [
        ("melo-nld", "mrr"),
        ("melo-bel", "mrr"),
        ("esco-challenge-profile", "ndcg@10"),
        ("esco-challenge-skill", "ndcg@10"),
    ]:
        hybrid = f"{figures[bench]['hybrid after (CV)'][metric]:.4f}"
        row = re.search(rf"^\| {re.escape(bench)} \| {re.escape(metric)} \|.*$", shown, re.M)
        assert row is not None and hybrid in row.group(0), (bench, metric)
        assert f"**{hybrid}**" in readme, f"the README's table lacks {bench} {metric} {hybrid}"
