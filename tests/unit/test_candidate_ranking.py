"""One selection over every source: exact fits first (simplest first), then votes, then the
model's product-of-experts score, then other evidence; two distinct attempts with provenance."""

import json

from arc_ttt import Grid
from arc_ttt.domain.candidate_ranking import rank_candidates, select
from arc_ttt.domain.candidates import Candidate

A, B, C, D = Grid([[1]]), Grid([[2]]), Grid([[3]]), Grid([[4]])
INPUT = Grid([[0]])


def search(grid, cost=None, agreement=0.5, program="p"):
    return Candidate(grid, "search", agreement, {"program": program}, 1, cost)


def neural(grid, votes, poe):
    return Candidate(grid, "neural", poe, {"views": 4}, votes, None, poe)


def test_an_exact_fit_beats_any_number_of_votes_and_the_simplest_exact_fit_wins():
    ranked = rank_candidates(
        [[search(A, cost=3.0), search(B, cost=1.0)], [neural(C, votes=8, poe=-0.1)]]
    )
    assert [m.grid for m in ranked] == [B, A, C]


def test_votes_add_up_across_sources_and_views():
    ranked = rank_candidates(
        [[search(A, agreement=0.9)], [neural(B, votes=2, poe=-1.0), neural(A, votes=2, poe=-9.0)]]
    )
    assert (
        ranked[0].grid == A and ranked[0].votes == 3 and ranked[0].sources == ("search", "neural")
    )


def test_with_equal_votes_the_model_score_decides_then_partial_evidence():
    ranked = rank_candidates(
        [
            [search(A, agreement=0.99), search(D, agreement=0.2)],
            [neural(B, 1, -5.0), neural(C, 1, -2.0)],
        ]
    )
    assert [m.grid for m in ranked] == [C, B, A, D]


def test_two_distinct_attempts_each_with_the_provenance_of_every_proposer():
    chosen = select([[search(A, cost=1.0, program="crop")], [neural(A, 2, -1.0)]], INPUT)
    assert chosen.attempts.attempt_1 == A and chosen.attempts.attempt_2 == INPUT
    first, second = chosen.provenance
    assert [p["source"] for p in first] == ["search", "neural"] and first[0]["program"] == "crop"
    assert second == [
        {"source": "fallback", "why": "fewer than two candidates: the test input itself"}
    ]
    json.dumps(chosen.provenance)  # JSON-ready, as results.jsonl keeps it


def test_selection_never_looks_at_test_outputs():
    # Selection is given candidates and a fallback only: no task, so no test output can reach
    # it; and the same candidates select the same attempts whatever the right answer is.
    per_source = [[search(A, agreement=0.4), search(B, agreement=0.3)], [neural(C, 1, -2.0)]]
    first = select(per_source, INPUT)
    again = select([list(x) for x in per_source], INPUT)
    assert first.attempts == again.attempts and first.provenance == again.provenance
