"""Ranking PostgreSQL's candidates: the query's side of the ranking is computed once per query
text while the learned weights hold, and keeping it changes no answer."""

from __future__ import annotations

from matcher import HashingEncoder, HybridRanker
from service.storage.database_ranking import Fresh, rank_candidates
from service.storage.vector_store import Candidate

QUERY = "Wij zoeken een student voor de energietransitie: warmtepompen en zonnepanelen."
OTHER = "Een webshop bouwen met Python en een database."


def ranker_of(corpus: dict[str, str]) -> HybridRanker:
    return HybridRanker(encoder=HashingEncoder()).fit(list(corpus), list(corpus.values()))


def candidates_of(ranker: HybridRanker, vector) -> list[Candidate]:
    # The cosine similarities the database would compute, from the rows' own vectors.
    dense = ranker.index_.scores(vector)[0]
    return [
        Candidate(id=id_, dense=float(score), text_hash="h")
        for id_, score in zip(ranker.index_.ids, dense, strict=True)
    ]


def ranked(ranker: HybridRanker, corpus: dict[str, str], query: str, fresh: Fresh):
    vector = ranker.encoder.encode([query], kind="query")[0]
    return rank_candidates(
        ranker,
        query,
        candidates_of(ranker, vector),
        5,
        hashes=dict.fromkeys(corpus, "h"),
        texts_of=lambda ids: {},
        fresh=fresh,
        query_vector=vector,
    )


def test_the_query_side_is_kept_and_gives_the_same_answer(corpus) -> None:
    ranker = ranker_of(corpus)
    fresh = Fresh()
    first = ranked(ranker, corpus, QUERY, fresh)
    kept = {key for key in fresh.queries if key[1] == QUERY}
    assert {what for what, _ in kept} == {"side", "skills", "terms"}
    again = ranked(ranker, corpus, QUERY, fresh)
    assert again == first
    assert again == ranked(ranker, corpus, QUERY, Fresh())  # nothing kept: the same answer
    other = ranked(ranker, corpus, OTHER, fresh)
    assert other == ranked(ranker, corpus, OTHER, Fresh())
    assert [m.id for m in other] != [m.id for m in first]


def test_new_weights_drop_the_kept_query_sides(corpus) -> None:
    ranker = ranker_of(corpus)
    fresh = Fresh()
    ranked(ranker, corpus, QUERY, fresh)
    before = fresh.queries[("side", QUERY)]
    ranker.refit()  # learns new weights: what was kept was weighted with the old ones
    after = ranked(ranker, corpus, QUERY, fresh)
    assert fresh.queries[("side", QUERY)] is not before
    assert after == ranked(ranker, corpus, QUERY, Fresh())


def test_an_erasure_drops_every_kept_query_side(corpus) -> None:
    from service.usecases.matching import Matching

    ranker = ranker_of(corpus)
    matching = Matching(encoder=ranker.encoder)
    matching.fresh = {"challenge": Fresh(), "student": Fresh()}
    matching.rankers, matching.hashes = {"student": ranker}, {"student": {}}
    ranked(ranker, corpus, QUERY, matching.fresh["challenge"])
    assert matching.fresh["challenge"].queries
    row = type(
        "Row",
        (),
        {"id": "stu-erased", "programme": "hbo", "about": QUERY, "skills": [], "interests": []},
    )()
    matching.erase("student", row)
    assert not matching.fresh["challenge"].queries
