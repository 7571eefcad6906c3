"""``arc-ttt pretrain`` in a process that stops moving after a given step: the victim of the
SIGKILL test.

Run as ``python pretrain_runner.py HOLD ARGS...`` (ARGS as for ``arc-ttt pretrain``; give it
``--log-every 1``). It prints ``step N`` after each progress record and, after printing
``step HOLD``, waits to be killed, so a test kills it at a known step whatever the machine's
load. The hook goes in through ``cli.main``'s ``overrides`` (the container's
``pretrain_observer``), the way an embedding program would watch a run.
"""

from __future__ import annotations

import sys
import time

from arc_ttt import cli
from arc_ttt.domain.pretraining import PretrainProgress


def main() -> None:
    hold = int(sys.argv[1])

    def observe(progress: PretrainProgress) -> None:
        print(f"step {progress.step}", flush=True)
        while progress.step == hold:
            time.sleep(1)  # the state saved before this step is in the store; this one's is not

    sys.exit(cli.main(["pretrain", *sys.argv[2:]], overrides={"pretrain_observer": observe}))


if __name__ == "__main__":
    main()
