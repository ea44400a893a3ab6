"""Bulk jobs: one prompt over thousands of items, through the adaptive limiter.

Run from Python (:func:`run_bulk`, :func:`arun_bulk`, :class:`BulkRunner`) or from the
shell::

    assemblyai-gateway bulk --input items.jsonl --output results.jsonl \\
        --model claude-sonnet-4-5-20250929 --prompt-file prompt.txt

Each input line is a JSON object; ``{{ field }}`` in the prompt takes the item's
field, and an item's ``transcript_id`` is sent so the gateway fills
``{{ transcript }}``. Results are appended to the output JSONL as they finish; a
rerun skips the items already answered (an item without ``id`` or ``transcript_id``
is known by a hash of its content). One run at a time holds the output file.
"""

from ._items import BulkInputError, BulkItem, content_id, load_items
from ._job import BulkJob, BulkWork
from ._records import BulkOutputError, BulkOutputLockedError
from ._runner import BulkRunner, arun_bulk, run_bulk
from ._summary import BulkSummary, ModelUsage
from ._template import TemplateError, placeholders, render_template

__all__ = [
    "BulkInputError",
    "BulkItem",
    "BulkJob",
    "BulkOutputError",
    "BulkOutputLockedError",
    "BulkRunner",
    "BulkSummary",
    "BulkWork",
    "ModelUsage",
    "TemplateError",
    "arun_bulk",
    "content_id",
    "load_items",
    "placeholders",
    "render_template",
    "run_bulk",
]
