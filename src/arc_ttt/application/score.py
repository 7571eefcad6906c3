"""Use case: the official score of a submission on a dataset."""

from __future__ import annotations

from collections.abc import Sequence

from arc_ttt.domain.arc_json import parse_json_text
from arc_ttt.domain.errors import InvalidSubmissionError, InvalidTaskError
from arc_ttt.domain.scoring import ScoreReport, parse_submission, score_submission
from arc_ttt.ports.task_source import TaskCatalog


def score_file(
    catalog: TaskCatalog,
    submission_text: str | bytes,
    dataset: str,
    *,
    source: str,
    solutions: str | None = None,
    task_ids: Sequence[str] = (),
    limit: int | None = None,
) -> ScoreReport:
    """Parse a submission's JSON text and score it on ``dataset``: on the tasks ``task_ids``
    when given (an unknown id is an ``UnknownTaskError``), else on its first ``limit`` tasks by
    id when given, else on all of them. Submission entries of other tasks are reported as
    unknown and count for nothing.

    Raises ``InvalidSubmissionError`` for a malformed submission, ``MissingSolutionsError`` when
    the dataset lacks test outputs.
    """
    try:
        obj = parse_json_text(submission_text, source=source)
    except InvalidTaskError as e:
        raise InvalidSubmissionError(str(e)) from e
    submission = parse_submission(obj, source=source)
    tasks = catalog.open(dataset, solutions).load()
    if task_ids:
        tasks = tasks.select(list(task_ids))
    elif limit is not None:
        tasks = tasks.sample(limit)
    return score_submission(submission, tasks)
