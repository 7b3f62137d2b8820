"""Quality flags for machine translation: what an editor must check before publishing.

``check_pair(source, translation)`` returns a list of :class:`Flag` (``check`` is one of
:data:`CHECK_NAMES`, ``detail`` says what was seen); :class:`QAChecker` does the same with its own
thresholds and over many pairs; :func:`summarize` counts flags per check.
"""

from mt.qa.base import CHECK_NAMES, Check, Flag, QAChecker, check_pair, default_checker, summarize

__all__ = ["CHECK_NAMES", "Check", "Flag", "QAChecker", "check_pair", "default_checker", "summarize"]
