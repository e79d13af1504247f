"""Many videos in one resumable batch: `Batch` (sync) and `AsyncBatch`, their reports and
errors. See docs/batch.md."""

from ._batch import (
    AsyncBatch,
    Batch,
    BatchLockedError,
    BatchReport,
    Estimate,
    InvalidRowsError,
    Problem,
    RowReport,
    row_key,
)

__all__ = ["AsyncBatch", "Batch", "BatchLockedError", "BatchReport", "Estimate",
           "InvalidRowsError", "Problem", "RowReport", "row_key"]  # fmt: skip
