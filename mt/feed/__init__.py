"""Wire feeds: ninjs-style JSONL records and folders of articles, translated in bulk, resumably.

:func:`run_batch` is what `mt batch` runs; :func:`translate_record` is what the HTTP service runs
for one article (the same output record).
"""

from mt.feed.output import output_record, translate_record
from mt.feed.reader import BadRecord, read_feed
from mt.feed.records import FeedRecord, RecordError, parse_record
from mt.feed.runner import BatchSummary, run_batch

__all__ = [
    "BadRecord",
    "BatchSummary",
    "FeedRecord",
    "RecordError",
    "output_record",
    "parse_record",
    "read_feed",
    "run_batch",
    "translate_record",
]
