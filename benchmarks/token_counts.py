"""Token counts of the bundled datasets under the codec (prompt + target, first test input).

Run: python benchmarks/token_counts.py   (prints the Markdown table in docs/codec.md)
"""

from __future__ import annotations

import statistics

from arc_ttt import bundled_datasets, load_tasks
from arc_ttt.domain.codec import count_tokens


def main() -> None:
    print("| set | tasks | median tokens | p90 | max | fits 2,048 | fits 4,096 | fits 8,192 |")
    print("|---|---|---|---|---|---|---|---|")
    for name in bundled_datasets():
        counts = sorted(
            count_tokens(t, i) for t in load_tasks(name) for i in range(len(t.test_inputs))
        )
        p90 = counts[int(0.9 * (len(counts) - 1))]

        def share(limit: int, c: list[int] = counts) -> str:
            return f"{100 * sum(x <= limit for x in c) / len(c):.0f}%"

        print(
            f"| {name} | {len(load_tasks(name))} | {statistics.median(counts):,.0f} | {p90:,} | "
            f"{counts[-1]:,} | {share(2048)} | {share(4096)} | {share(8192)} |"
        )


if __name__ == "__main__":
    main()
