from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.queue_status import QueueStatus
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/openapi/v2/queue/status",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | QueueStatus | None:
    if response.status_code == 200:
        response_200 = QueueStatus.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

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
) -> Response[ErrorResponse | QueueStatus]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | QueueStatus]:
    """Queue status of the key

     Answers how many tasks the key may run at once and how many run and wait now. Free; a refused key
    answers 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | QueueStatus]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync_raw(
    *,
    client: AuthenticatedClient | Client,
) -> httpx.Response:
    """The HTTP answer as it came, not parsed (whatever its status or body); the same request
    as sync_detailed. Raises httpx.TimeoutException if the request takes longer than
    Client.timeout."""
    return client.get_httpx_client().request(**_get_kwargs())


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | QueueStatus | None:
    """Queue status of the key

     Answers how many tasks the key may run at once and how many run and wait now. Free; a refused key
    answers 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | QueueStatus
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | QueueStatus]:
    """Queue status of the key

     Answers how many tasks the key may run at once and how many run and wait now. Free; a refused key
    answers 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | QueueStatus]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio_raw(
    *,
    client: AuthenticatedClient | Client,
) -> httpx.Response:
    """The HTTP answer as it came, not parsed (whatever its status or body); the same request
    as asyncio_detailed. Raises httpx.TimeoutException if the request takes longer than
    Client.timeout."""
    return await client.get_async_httpx_client().request(**_get_kwargs())


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | QueueStatus | None:
    """Queue status of the key

     Answers how many tasks the key may run at once and how many run and wait now. Free; a refused key
    answers 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | QueueStatus
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
