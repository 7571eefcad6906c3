"""Which selection rule wins: re-rank one run's cached candidates under several rules.

    arc-ttt solve --dataset arc-agi-1/training --tasks IDS --sources search,neural \
        --set search.skip_neural_when_exact=false --out runs/rules
    python benchmarks/selection_rules.py runs/rules --dataset arc-agi-1/training

The run's cache keeps every source's candidates for each task (``cache/candidates/TASK/...``:
``search-*`` for the search, the other folder for the model). Each rule ranks the merged
candidates of a test input; the score is the official pass@2 over the run's tasks. Rules:

- ``shipped``: the library's rule (``arc_ttt.domain.candidate_ranking``): exact fits, votes,
  the model's product of experts, other evidence;
- ``search_first``: exact fits, then the search's partial evidence (agreement), then the model;
- ``model_first``: exact fits, then the model's product of experts, then the search's partials;
- ``search_only`` / ``model_only``: one source's candidates alone (exact fits first).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from arc_ttt import load_tasks
from arc_ttt.domain.candidate_ranking import MergedCandidate, rank_candidates
from arc_ttt.domain.candidates import Candidate
from arc_ttt.domain.grid import Grid


def _neural(record: dict) -> Candidate:
    scores = record.get("view_scores") or {}
    poe = sum(scores.values()) if scores else None
    best = max(record.get("generation_logprobs") or [float("-inf")])
    return Candidate(
        Grid(record["grid"]),
        "neural",
        poe if poe is not None else best,
        {},
        int(record["votes"]),
        None,
        poe,
    )


def load(run: Path) -> dict[str, list[list[Candidate]]]:
    """task id -> per test input, every source's candidates (search first)."""
    out: dict[str, list[list[Candidate]]] = {}
    for task_dir in sorted((run / "cache" / "candidates").iterdir()):
        per_test: list[list[Candidate]] = []
        for source_dir in sorted(
            task_dir.iterdir(), key=lambda p: not p.name.startswith("search-")
        ):
            files = sorted(source_dir.glob("v*/files/candidates.json"))
            if not files:
                continue
            data = json.loads(files[-1].read_text())
            for i, row in enumerate(data["tests"]):
                while len(per_test) <= i:
                    per_test.append([])
                if source_dir.name.startswith("search-"):
                    per_test[i] += [Candidate.from_record(r) for r in row]
                else:
                    per_test[i] += [_neural(r) for r in row]
        out[task_dir.name] = per_test
    return out


def _key(rule: str):
    def key(m: MergedCandidate):
        exact = m.exact_cost
        search = max((c.score for c in m.members if c.source == "search"), default=-math.inf)
        model = m.poe if m.poe is not None else -math.inf
        head = (0 if exact is not None else 1, exact or 0.0)
        if rule == "search_first":
            return (*head, -search, -model, m.first_seen)
        if rule == "model_first":
            return (*head, -model, -search, m.first_seen)
        return (*head, m.first_seen)

    return key


RULES = ("shipped", "search_first", "model_first", "search_only", "model_only")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("run", type=Path)
    p.add_argument("--dataset", default="arc-agi-1/training")
    a = p.parse_args()
    tasks = load_tasks(a.dataset)
    cands = load(a.run)
    totals = dict.fromkeys(RULES, 0.0)
    for task_id, per_test in cands.items():
        truth = tasks.get(task_id).test_outputs
        for rule in RULES:
            right = 0
            for i, row in enumerate(per_test):
                wanted = {"search_only": {"search"}, "model_only": {"neural"}}.get(rule)
                kept = [c for c in row if wanted is None or c.source in wanted]
                ranked = rank_candidates([kept])
                if rule != "shipped":
                    ranked = sorted(
                        ranked,
                        key=_key(rule if rule in ("search_first", "model_first") else "plain"),
                    )
                top = [m.grid for m in ranked[:2]]
                right += truth[i] in top
            totals[rule] += right / len(per_test)
    n = len(cands)
    print(
        json.dumps(
            {"run": str(a.run), "tasks": n, **{r: round(v / n, 4) for r, v in totals.items()}}
        )
    )


if __name__ == "__main__":
    main()
