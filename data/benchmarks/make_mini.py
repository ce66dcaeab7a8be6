"""Cut a small benchmark out of a shared dev benchmark, so `make run` works on a fresh machine.

    python data/benchmarks/make_mini.py ../shared/benchmarks/esco-challenge-profile \
        data/benchmarks/esco-challenge-profile-mini --queries 100 --corpus 800

Keeps a seeded random sample of judged queries, every document judged for them, and random
other documents up to the corpus size. Deterministic for the same input and arguments.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--corpus", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    qrels: dict[str, list[tuple[str, str]]] = {}
    with (args.source / "qrels" / "dev.tsv").open(encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            query_id, doc_id, grade = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, []).append((doc_id, grade))
    chosen = sorted(rng.sample(sorted(qrels), args.queries))
    judged = sorted({doc for query in chosen for doc, _ in qrels[query]})
    corpus = read_jsonl(args.source / "corpus.jsonl")
    others = [doc["_id"] for doc in corpus if doc["_id"] not in set(judged)]
    extra = rng.sample(others, max(0, args.corpus - len(judged)))
    keep = set(judged) | set(extra)

    (args.target / "qrels").mkdir(parents=True, exist_ok=True)
    with (args.target / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for doc in corpus:
            if doc["_id"] in keep:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    queries = {q["_id"]: q for q in read_jsonl(args.source / "queries.jsonl")}
    with (args.target / "queries.jsonl").open("w", encoding="utf-8") as out:
        for query_id in chosen:
            out.write(json.dumps(queries[query_id], ensure_ascii=False) + "\n")
    with (args.target / "qrels" / "dev.tsv").open("w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for query_id in chosen:
            for doc_id, grade in qrels[query_id]:
                out.write(f"{query_id}\t{doc_id}\t{grade}\n")


if __name__ == "__main__":
    main()
