"""Contains endpoint functions for accessing the API

TASK_ENDPOINTS: every task endpoint of this package (a JSON request model whose answer links
to the task query), as plain literals: function module (the operation id in snake case),
path, summary, description, request model class and module, and each request field's JSON
name and description.
"""

TASK_ENDPOINTS = (
    {
        "module": "image_to_video_realistic",
        "path": "/openapi/v2/rhart-video-s-official/image-to-video-realistic",
        "summary": "全能视频S-官方-图生视频-支持真人",
        "description": "Submits an image-to-video task (paid: see x-published-price for the vendor's list). Answers the task object, normally QUEUED or RUNNING, possibly already SUCCESS with results; poll POST /openapi/v2/query about every 5 s until a final status. A failure usually shows as HTTP 200 with a non-empty errorCode / errorMessage.",
        "request_model": "ImageToVideoRealisticRequest",
        "request_module": "image_to_video_realistic_request",
        "fields": {
            "prompt": ("prompt", "提示词. What the video should show."),
            "resolution": ("resolution", "分辨率. Output resolution."),
            "aspect_ratio": ("aspectRatio", "比例. Output aspect ratio."),
            "image_url": (
                "imageUrl",
                "图片地址. Public http(s) URL of a JPG or PNG image of at most 10 MB, e.g. data.download_url of POST /openapi/v2/media/upload/binary.",
            ),
            "duration": ("duration", "视频时长. Video length in seconds, as a string."),
            "webhook_url": (
                "webhookUrl",
                "Optional. The vendor POSTs to this URL when the task ends; payload and signing are undocumented.",
            ),
        },
    },
)
