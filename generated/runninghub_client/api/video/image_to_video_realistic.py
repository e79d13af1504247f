from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.image_to_video_realistic_request import ImageToVideoRealisticRequest
from ...models.task_result import TaskResult
from ...types import Response


def _get_kwargs(
    *,
    body: ImageToVideoRealisticRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v2/rhart-video-s-official/image-to-video-realistic",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TaskResult | None:
    if response.status_code == 200:
        response_200 = TaskResult.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ErrorResponse.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorResponse.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | TaskResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> Response[ErrorResponse | TaskResult]:
    """全能视频S-官方-图生视频-支持真人

     Submits an image-to-video task (paid: see x-published-price for the vendor's list). Answers the task
    object, normally QUEUED or RUNNING, possibly already SUCCESS with results; poll POST
    /openapi/v2/query about every 5 s until a final status. A failure usually shows as HTTP 200 with a
    non-empty errorCode / errorMessage.

    Args:
        body (ImageToVideoRealisticRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskResult]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync_raw(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> httpx.Response:
    """The HTTP answer as it came, not parsed (whatever its status or body); the same request
    as sync_detailed. Raises httpx.TimeoutException if the request takes longer than
    Client.timeout."""
    return client.get_httpx_client().request(
        **_get_kwargs(
            body=body,
        )
    )


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> ErrorResponse | TaskResult | None:
    """全能视频S-官方-图生视频-支持真人

     Submits an image-to-video task (paid: see x-published-price for the vendor's list). Answers the task
    object, normally QUEUED or RUNNING, possibly already SUCCESS with results; poll POST
    /openapi/v2/query about every 5 s until a final status. A failure usually shows as HTTP 200 with a
    non-empty errorCode / errorMessage.

    Args:
        body (ImageToVideoRealisticRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskResult
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> Response[ErrorResponse | TaskResult]:
    """全能视频S-官方-图生视频-支持真人

     Submits an image-to-video task (paid: see x-published-price for the vendor's list). Answers the task
    object, normally QUEUED or RUNNING, possibly already SUCCESS with results; poll POST
    /openapi/v2/query about every 5 s until a final status. A failure usually shows as HTTP 200 with a
    non-empty errorCode / errorMessage.

    Args:
        body (ImageToVideoRealisticRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TaskResult]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio_raw(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> httpx.Response:
    """The HTTP answer as it came, not parsed (whatever its status or body); the same request
    as asyncio_detailed. Raises httpx.TimeoutException if the request takes longer than
    Client.timeout."""
    return await client.get_async_httpx_client().request(
        **_get_kwargs(
            body=body,
        )
    )


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRealisticRequest,
) -> ErrorResponse | TaskResult | None:
    """全能视频S-官方-图生视频-支持真人

     Submits an image-to-video task (paid: see x-published-price for the vendor's list). Answers the task
    object, normally QUEUED or RUNNING, possibly already SUCCESS with results; poll POST
    /openapi/v2/query about every 5 s until a final status. A failure usually shows as HTTP 200 with a
    non-empty errorCode / errorMessage.

    Args:
        body (ImageToVideoRealisticRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TaskResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
