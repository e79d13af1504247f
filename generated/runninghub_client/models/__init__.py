"""Contains all the data models used in inputs/outputs"""

from .account_status import AccountStatus
from .account_status_data_type_0 import AccountStatusDataType0
from .account_status_request import AccountStatusRequest
from .aspect_ratio import AspectRatio
from .cancel_result import CancelResult
from .cancel_task_request import CancelTaskRequest
from .duration import Duration
from .error_response import ErrorResponse
from .failed_reason import FailedReason
from .image_to_video_realistic_request import ImageToVideoRealisticRequest
from .price_preview import PricePreview
from .query_task_request import QueryTaskRequest
from .queue_status import QueueStatus
from .queue_status_data_type_0 import QueueStatusDataType0
from .resolution import Resolution
from .task_output import TaskOutput
from .task_result import TaskResult
from .task_status import TaskStatus
from .task_usage import TaskUsage
from .upload_media_request import UploadMediaRequest
from .upload_result import UploadResult
from .uploaded_media import UploadedMedia
from .webhook_delivery import WebhookDelivery

__all__ = (
    "AccountStatus",
    "AccountStatusDataType0",
    "AccountStatusRequest",
    "AspectRatio",
    "CancelResult",
    "CancelTaskRequest",
    "Duration",
    "ErrorResponse",
    "FailedReason",
    "ImageToVideoRealisticRequest",
    "PricePreview",
    "QueryTaskRequest",
    "QueueStatus",
    "QueueStatusDataType0",
    "Resolution",
    "TaskOutput",
    "TaskResult",
    "TaskStatus",
    "TaskUsage",
    "UploadMediaRequest",
    "UploadResult",
    "UploadedMedia",
    "WebhookDelivery",
)
