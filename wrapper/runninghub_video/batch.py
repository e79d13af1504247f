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
    StateError,
    resolve,
    row_key,
    status,
)

__all__ = ["AsyncBatch", "Batch", "BatchLockedError", "BatchReport", "Estimate",
           "InvalidRowsError", "Problem", "RowReport", "StateError", "resolve", "row_key",
           "status"]  # fmt: skip
