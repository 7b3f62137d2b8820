"""``python -m eval`` is ``mt-eval``."""

import sys

from eval.cli import main

sys.exit(main())
