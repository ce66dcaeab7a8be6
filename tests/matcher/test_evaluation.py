"""Benchmarks in the BEIR layout: loading with line-level errors, metrics, the run file."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest

from matcher import BenchmarkFormatError, Components, HashingEncoder, HybridRanker, Match, Weights
from matcher.evaluation import Scores, load_benchmark, run_benchmark, score_run, write_run

LOG2_3 = math.log2(3)


def match(id_: str, score: float) -> Match:
    return Match(id=id_, score=score, components=Components(0.0, 0.0, 0.0))


def ranked(*ids: str) -> list[Match]:
    """Matches in the given order, with strictly falling scores."""
    return [match(id_, float(len(ids) - rank)) for rank, id_ in enumerate(ids)]


# -- metrics -------------------------------------------------------------------------------


def test_the_relevant_document_first_scores_one_everywhere() -> None:
    scores = score_run({"q1": ranked("d1", "d2", "d3")}, {"q1": {"d1": 1}})
    assert scores == Scores(mrr=1.0, ndcg_at_10=1.0, recall_at_100=1.0, queries=1)


def test_the_relevant_document_second_halves_the_reciprocal_rank() -> None:
    scores = score_run({"q1": ranked("d9", "d1", "d3")}, {"q1": {"d1": 1}})
    assert scores.mrr == pytest.approx(0.5)
    assert scores.ndcg_at_10 == pytest.approx(1 / LOG2_3)  # 0.6309
    assert scores.recall_at_100 == 1.0


def test_ndcg_uses_gains_two_to_the_grade_minus_one() -> None:
    # grade 1 at rank 1, grade 2 at rank 3: DCG = 1/log2(2) + 3/log2(4) = 2.5;
    # ideal: grade 2 first, grade 1 second: 3 + 1/log2(3).
    qrels = {"q1": {"a": 2, "b": 1, "x": 0}}
    scores = score_run({"q1": ranked("b", "x", "a")}, qrels)
    assert scores.ndcg_at_10 == pytest.approx(2.5 / (3 + 1 / LOG2_3))  # 0.6885
    assert scores.ndcg_at_10 != pytest.approx(2.0 / (2 + 1 / LOG2_3))  # linear gains: 0.7602
    assert scores.mrr == 1.0
    assert scores.recall_at_100 == 1.0


def test_ndcg_counts_only_the_top_ten() -> None:
    run = ranked(*[f"x{n}" for n in range(10)], "a")
    assert score_run({"q1": run}, {"q1": {"a": 1}}).ndcg_at_10 == 0.0
    assert score_run({"q1": run}, {"q1": {"a": 1}}).mrr == pytest.approx(1 / 11)


def test_recall_counts_only_the_top_hundred() -> None:
    # two relevant documents, one at rank 1, the other at rank 150
    run = ranked("a", *[f"x{n}" for n in range(148)], "b")
    scores = score_run({"q1": run}, {"q1": {"a": 1, "b": 1}})
    assert scores.recall_at_100 == pytest.approx(0.5)
    assert scores.ndcg_at_10 == pytest.approx(1 / (1 + 1 / LOG2_3))  # 0.6131


def test_a_grade_zero_document_counts_as_not_relevant() -> None:
    scores = score_run({"q1": ranked("d0", "d1")}, {"q1": {"d0": 0, "d1": 1}})
    assert scores.mrr == pytest.approx(0.5)


def test_a_judged_query_missing_from_the_run_scores_zero() -> None:
    run = {"q1": ranked("d1"), "q3": ranked("d3")}
    scores = score_run(run, {"q1": {"d1": 1}, "q2": {"d2": 1}})
    assert scores == Scores(mrr=0.5, ndcg_at_10=0.5, recall_at_100=0.5, queries=2)


def test_the_means_over_several_queries() -> None:
    run = {
        "q1": ranked("d9", "d1"),  # RR 1/2, nDCG 1/log2(3), recall 1
        "q2": ranked("b", "x", "a"),  # RR 1, nDCG 2.5/(3 + 1/log2(3)), recall 1
        "q3": ranked("a", *[f"x{n}" for n in range(148)], "b"),  # RR 1, nDCG .6131, recall 1/2
    }
    qrels = {"q1": {"d1": 1}, "q2": {"a": 2, "b": 1}, "q3": {"a": 1, "b": 1}, "q4": {"d4": 1}}
    scores = score_run(run, qrels)
    assert scores.queries == 4
    assert scores.mrr == pytest.approx((0.5 + 1 + 1 + 0) / 4)
    ndcgs = [1 / LOG2_3, 2.5 / (3 + 1 / LOG2_3), 1 / (1 + 1 / LOG2_3), 0.0]
    assert scores.ndcg_at_10 == pytest.approx(sum(ndcgs) / 4)
    assert scores.recall_at_100 == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert scores.as_json() == {
        "mrr": 0.625,
        "ndcg@10": round(sum(ndcgs) / 4, 4),
        "recall@100": 0.625,
        "queries": 4,
    }


# -- the run file --------------------------------------------------------------------------


def test_write_run_writes_one_trec_line_per_match_best_first() -> None:
    out = io.StringIO()
    write_run({"q1": ranked("d2", "d1"), "q2": [match("d3", -0.25)]}, out, tag="test")
    assert out.getvalue().splitlines() == [
        "q1 Q0 d2 1 2.000000 test",
        "q1 Q0 d1 2 1.000000 test",
        "q2 Q0 d3 1 -0.250000 test",
    ]


# -- loading -------------------------------------------------------------------------------


def test_the_tiny_benchmark_loads_with_the_queries_of_the_split(tiny_bench: Path) -> None:
    dev = load_benchmark(tiny_bench, "dev")
    assert dev.name == "tiny-bench"
    assert sorted(dev.corpus) == [f"d{n}" for n in range(1, 10)]
    assert sorted(dev.queries) == ["q1", "q2", "q3"]
    assert dev.qrels == {"q1": {"d1": 1}, "q2": {"d4": 1}, "q3": {"d3": 1}}
    test = load_benchmark(tiny_bench, "test")
    assert sorted(test.queries) == ["q4", "q5", "q7"]
    assert test.qrels["q7"] == {"d2": 0, "d9": 1}


def lexical_ranker() -> HybridRanker:
    return HybridRanker(encoder=None, weights=Weights.for_method("lexical"))


def test_the_lexical_run_on_the_dev_split_finds_every_answer_first(tiny_bench: Path) -> None:
    benchmark = load_benchmark(tiny_bench, "dev")
    run = run_benchmark(lexical_ranker(), benchmark)
    assert {query: matches[0].id for query, matches in run.items()} == {
        "q1": "d1",
        "q2": "d4",
        "q3": "d3",
    }
    assert all(len(matches) == 9 for matches in run.values())
    assert score_run(run, benchmark.qrels) == Scores(1.0, 1.0, 1.0, 3)


def test_the_lexical_run_on_the_test_split_has_the_hand_computed_scores(tiny_bench: Path) -> None:
    benchmark = load_benchmark(tiny_bench, "test")
    run = run_benchmark(lexical_ranker(), benchmark)
    assert [m.id for m in run["q7"][:2]] == ["d2", "d9"]
    scores = score_run(run, benchmark.qrels)
    assert scores.mrr == pytest.approx((1 + 1 + 0.5) / 3)
    assert scores.ndcg_at_10 == pytest.approx((1 + 1 + 1 / LOG2_3) / 3)
    assert scores.recall_at_100 == 1.0
    assert scores.queries == 3


def test_run_benchmark_stops_at_the_depth(tiny_bench: Path) -> None:
    run = run_benchmark(
        HybridRanker(encoder=HashingEncoder(), weights=Weights.for_method("dense")),
        load_benchmark(tiny_bench, "dev"),
        depth=4,
    )
    assert [len(matches) for matches in run.values()] == [4, 4, 4]


# -- bad benchmark files -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["corpus.jsonl", "queries.jsonl", "qrels/dev.tsv"])
def test_a_missing_file_is_named(tiny_bench_copy: Path, name: str) -> None:
    (tiny_bench_copy / name).unlink()
    with pytest.raises(BenchmarkFormatError, match=rf"missing file: .*{name}"):
        load_benchmark(tiny_bench_copy, "dev")


def test_a_missing_split_is_named(tiny_bench: Path) -> None:
    with pytest.raises(BenchmarkFormatError, match=r"missing file: .*qrels/train\.tsv"):
        load_benchmark(tiny_bench, "train")


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkFormatError, match=r"benchmark folder not found: .*no-bench"):
        load_benchmark(tmp_path / "no-bench", "dev")


def replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_qrels_line_with_two_fields_is_named_by_file_and_line(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "qrels" / "dev.tsv", 3, "q2\td4")
    with pytest.raises(
        BenchmarkFormatError, match=r"dev\.tsv, line 3: expected 3 tab-separated fields.*found 2"
    ):
        load_benchmark(tiny_bench_copy, "dev")


@pytest.mark.parametrize("grade", ["high", "1.5", ""])
def test_a_qrels_score_that_is_not_a_whole_number_is_named(
    tiny_bench_copy: Path, grade: str
) -> None:
    replace_line(tiny_bench_copy / "qrels" / "test.tsv", 4, f"q7\td2\t{grade}")
    with pytest.raises(
        BenchmarkFormatError,
        match=rf"test\.tsv, line 4: field 'score' must be a whole number, not '{grade}'",
    ):
        load_benchmark(tiny_bench_copy, "test")


def test_qrels_without_a_header_load(tiny_bench_copy: Path) -> None:
    (tiny_bench_copy / "qrels" / "dev.tsv").write_text("q1\td1\t1\n\nq2\td4\t2\n")
    assert load_benchmark(tiny_bench_copy, "dev").qrels == {"q1": {"d1": 1}, "q2": {"d4": 2}}


def test_a_corpus_line_that_is_not_json_is_named_by_line(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "corpus.jsonl", 4, '{"_id": "d4", "text": "boekhouding"')
    with pytest.raises(BenchmarkFormatError, match=r"corpus\.jsonl, line 4: not JSON"):
        load_benchmark(tiny_bench_copy, "dev")


def test_a_corpus_line_with_an_empty_text_is_named(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "corpus.jsonl", 2, '{"_id": "d2", "text": "   "}')
    with pytest.raises(BenchmarkFormatError, match=r"corpus\.jsonl, line 2: field 'text' is empty"):
        load_benchmark(tiny_bench_copy, "dev")


@pytest.mark.parametrize(
    ("line", "field"),
    [('{"text": "hennep"}', "_id"), ('{"_id": "d2", "text": 7}', "text")],
)
def test_a_corpus_line_without_a_string_field_is_named(
    tiny_bench_copy: Path, line: str, field: str
) -> None:
    replace_line(tiny_bench_copy / "corpus.jsonl", 2, line)
    with pytest.raises(
        BenchmarkFormatError, match=rf"line 2: field '{field}' missing or not a string"
    ):
        load_benchmark(tiny_bench_copy, "dev")


def test_a_repeated_corpus_id_is_named(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "corpus.jsonl", 5, '{"_id": "d1", "text": "nog een keer"}')
    with pytest.raises(BenchmarkFormatError, match=r"line 5: _id 'd1' repeats"):
        load_benchmark(tiny_bench_copy, "dev")


def test_a_query_line_that_is_not_an_object_is_named(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "queries.jsonl", 3, '["q3", "dagbesteding"]')
    with pytest.raises(BenchmarkFormatError, match=r"queries\.jsonl, line 3: not a JSON object"):
        load_benchmark(tiny_bench_copy, "dev")


def test_qrels_judging_a_document_not_in_the_corpus_are_refused(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "qrels" / "dev.tsv", 2, "q1\td42\t1")
    with pytest.raises(
        BenchmarkFormatError, match=r"judges 1 documents not in corpus\.jsonl, e\.g\. 'd42'"
    ):
        load_benchmark(tiny_bench_copy, "dev")


def test_qrels_judging_a_query_not_in_the_queries_are_refused(tiny_bench_copy: Path) -> None:
    replace_line(tiny_bench_copy / "qrels" / "dev.tsv", 2, "q99\td1\t1")
    with pytest.raises(
        BenchmarkFormatError, match=r"judges 1 queries not in queries\.jsonl, e\.g\. 'q99'"
    ):
        load_benchmark(tiny_bench_copy, "dev")


def test_qrels_judging_no_query_are_refused(tiny_bench_copy: Path) -> None:
    (tiny_bench_copy / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\n")
    with pytest.raises(BenchmarkFormatError, match=r"qrels/dev\.tsv judges no query"):
        load_benchmark(tiny_bench_copy, "dev")
