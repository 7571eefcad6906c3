"""``python -m arc_ttt.cli``, which ``accelerate launch -m arc_ttt.cli`` runs."""

import sys

from arc_ttt.cli.main import main

sys.exit(main())
