"""`lcmatch eval` end to end: the JSON it prints, the run file it writes, its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher import SqliteEmbeddingStore
from service.cli.main import app

runner = CliRunner()

SETTINGS_VARIABLES = [
    "LCMATCH_MODEL",
    "LCMATCH_QUERY_PREFIX",
    "LCMATCH_PASSAGE_PREFIX",
    "LCMATCH_BATCH_SIZE",
    "LCMATCH_WEIGHT_DENSE",
    "LCMATCH_WEIGHT_LEXICAL",
    "LCMATCH_WEIGHT_SKILL",
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LCMATCH_HOME in a temporary folder, default settings otherwise, no .env in reach."""
    home = tmp_path / "home"
    monkeypatch.setenv("LCMATCH_HOME", str(home))
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


def evaluate(*arguments: str | Path):
    return runner.invoke(app, ["eval", *map(str, arguments), "--no-progress"])


def read_run(path: Path) -> list[list[str]]:
    return [line.split(" ") for line in path.read_text(encoding="utf-8").splitlines()]


def test_eval_prints_the_metrics_as_one_json_object(home: Path, tiny_bench: Path) -> None:
    result = evaluate(tiny_bench, "--split", "dev", "--method", "lexical")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    assert json.loads(result.stdout) == {
        "mrr": 1.0,
        "ndcg@10": 1.0,
        "recall@100": 1.0,
        "queries": 3,
    }


def test_eval_writes_a_trec_run_file(home: Path, tiny_bench: Path, tmp_path: Path) -> None:
    run_file = tmp_path / "runs" / "dev.tsv"  # the folder is made
    result = evaluate(tiny_bench, "--split", "dev", "--method", "lexical", "--run-out", run_file)
    assert result.exit_code == 0, result.output
    lines = read_run(run_file)
    assert len(lines) == 3 * 9
    for query in ("q1", "q2", "q3"):
        rows = [row for row in lines if row[0] == query]
        assert [row[3] for row in rows] == [str(rank) for rank in range(1, 10)]
        assert sorted(row[2] for row in rows) == [f"d{n}" for n in range(1, 10)]
        scores = [float(row[4]) for row in rows]
        assert scores == sorted(scores, reverse=True)
    assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "lcmatch-lexical" for row in lines)
    firsts = {row[0]: row[2] for row in lines if row[3] == "1"}
    assert firsts == {"q1": "d1", "q2": "d4", "q3": "d3"}


def test_eval_on_another_split(home: Path, tiny_bench: Path, tmp_path: Path) -> None:
    run_file = tmp_path / "test.tsv"
    result = evaluate(tiny_bench, "--split", "test", "--method", "lexical", "--run-out", run_file)
    assert result.exit_code == 0, result.output
    # q7 finds d2 (judged 0) first and the relevant d9 second: see tests/fixtures/tiny-bench
    assert json.loads(result.stdout) == {
        "mrr": 0.8333,
        "ndcg@10": 0.877,
        "recall@100": 1.0,
        "queries": 3,
    }
    assert {row[0] for row in read_run(run_file)} == {"q4", "q5", "q7"}


def write_bench(folder: Path, documents: int) -> Path:
    """A generated benchmark with more documents than the run keeps."""
    (folder / "qrels").mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for number in range(documents):
            text = f"uitdaging {number} over {['zorg', 'bouw', 'energie'][number % 3]}"
            out.write(json.dumps({"_id": f"d{number}", "text": text}) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as out:
        out.write(json.dumps({"_id": "q1", "text": "uitdaging 7 over bouw"}) + "\n")
        out.write(json.dumps({"_id": "q2", "text": "energie"}) + "\n")
    (folder / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td7\t1\nq2\td5\t1\n")
    return folder


def test_the_run_file_keeps_at_most_a_hundred_per_query(home: Path, tmp_path: Path) -> None:
    bench = write_bench(tmp_path / "big-bench", documents=130)
    run_file = tmp_path / "run.tsv"
    result = evaluate(bench, "--method", "lexical", "--run-out", run_file)
    assert result.exit_code == 0, result.output
    lines = read_run(run_file)
    for query in ("q1", "q2"):
        ranks = [int(row[3]) for row in lines if row[0] == query]
        assert ranks == list(range(1, 101))
    assert json.loads(result.stdout)["queries"] == 2


# -- errors ----------------------------------------------------------------------------------


def assert_refused(result, *fragments: str) -> None:
    """Exit code 2, the message on stderr, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr


def test_a_missing_benchmark_folder_exits_2(home: Path, tmp_path: Path) -> None:
    result = evaluate(tmp_path / "nowhere", "--method", "lexical")
    assert_refused(result, "benchmark folder not found", "nowhere")


def test_a_missing_split_exits_2_naming_the_file(home: Path, tiny_bench: Path) -> None:
    result = evaluate(tiny_bench, "--split", "train", "--method", "lexical")
    assert_refused(result, "missing file", "train.tsv")


def test_a_malformed_qrels_line_exits_2_naming_file_and_line(
    home: Path, tiny_bench_copy: Path
) -> None:
    qrels = tiny_bench_copy / "qrels" / "dev.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2 d4 1\n")
    result = evaluate(tiny_bench_copy, "--method", "lexical")
    assert_refused(result, "dev.tsv, line 3", "expected 3 tab-separated fields", "found 1")


def test_a_non_integer_grade_exits_2(home: Path, tiny_bench_copy: Path) -> None:
    qrels = tiny_bench_copy / "qrels" / "dev.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\td1\tyes\n")
    result = evaluate(tiny_bench_copy, "--method", "lexical")
    assert_refused(result, "dev.tsv, line 2", "field 'score' must be a whole number, not 'yes'")


def test_a_non_json_corpus_line_exits_2_naming_the_line(home: Path, tiny_bench_copy: Path) -> None:
    corpus = tiny_bench_copy / "corpus.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()
    lines[2] = "d3\tZorginstelling zoekt een stagiair"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = evaluate(tiny_bench_copy, "--method", "lexical")
    assert_refused(result, "corpus.jsonl, line 3: not JSON")


def test_an_empty_corpus_text_exits_2(home: Path, tiny_bench_copy: Path) -> None:
    corpus = tiny_bench_copy / "corpus.jsonl"
    corpus.write_text(corpus.read_text(encoding="utf-8") + '{"_id": "d10", "text": ""}\n')
    result = evaluate(tiny_bench_copy, "--method", "lexical")
    assert_refused(result, "corpus.jsonl, line 10: field 'text' is empty")


def test_qrels_judging_an_unknown_document_exit_2(home: Path, tiny_bench_copy: Path) -> None:
    qrels = tiny_bench_copy / "qrels" / "dev.tsv"
    qrels.write_text(qrels.read_text() + "q1\td404\t1\n")
    result = evaluate(tiny_bench_copy, "--method", "lexical")
    assert_refused(result, "documents not in corpus.jsonl", "'d404'")


def test_an_unknown_method_exits_2(home: Path, tiny_bench: Path) -> None:
    result = evaluate(tiny_bench, "--method", "bm25")
    assert result.exit_code == 2
    assert "Invalid value for '--method'" in result.stderr
    assert "bm25" in result.stderr


def test_no_run_file_is_written_when_the_input_is_bad(
    home: Path, tiny_bench_copy: Path, tmp_path: Path
) -> None:
    (tiny_bench_copy / "queries.jsonl").unlink()
    run_file = tmp_path / "run.tsv"
    result = evaluate(tiny_bench_copy, "--method", "lexical", "--run-out", run_file)
    assert_refused(result, "missing file", "queries.jsonl")
    assert not run_file.exists()


# -- the real model --------------------------------------------------------------------------


@pytest.mark.slow
def test_eval_hybrid_with_the_real_model_caches_embeddings_in_home(
    home: Path, tiny_bench: Path, tmp_path: Path
) -> None:
    run_file = tmp_path / "hybrid.tsv"
    result = evaluate(tiny_bench, "--split", "dev", "--method", "hybrid", "--run-out", run_file)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "mrr": 1.0,
        "ndcg@10": 1.0,
        "recall@100": 1.0,
        "queries": 3,
    }
    assert {row[5] for row in read_run(run_file)} == {"lcmatch-hybrid"}
    # nine documents and three queries, embedded once into LCMATCH_HOME
    store = SqliteEmbeddingStore(home / "embeddings.sqlite")
    assert len(store) == 12
    store.close()

    again = evaluate(tiny_bench, "--split", "dev", "--method", "hybrid")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == json.loads(result.stdout)
