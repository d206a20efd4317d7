from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.pwpp_request import PwppRequest
from ...models.pwpp_response import PwppResponse
from ...types import Response


def _get_kwargs(
    *,
    body: PwppRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/pwpp",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PwppResponse | None:
    if response.status_code == 200:
        response_200 = PwppResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[PwppResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PwppRequest,
) -> Response[PwppResponse]:
    """Pay by credit card without a payment page (H2H)

     Host-to-host card payment (section 12, "Payment without Payment Page for Credit card"). The
    user's KYC must have been submitted first. The response's `pageData` is an HTML document that
    leads to 3-D Secure or to `successURL`/`failURL`, where C-Pay appends `txnRef=<orderId>`; open or
    render it. A declined payment returns code 90751015 ("pay fail"); a charge the acquirer will not
    open returns 90751019 ("create order fail: ...") with `data` null (the vendor's later
    documentation).

    The request carries the full card number and CVV: send it only over TLS and never log it.

    Args:
        body (PwppRequest): Parameters of `pwpp` (section 12), besides `merchantId` and `sign`.
            Holds card data: never log it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PwppResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: PwppRequest,
) -> PwppResponse | None:
    """Pay by credit card without a payment page (H2H)

     Host-to-host card payment (section 12, "Payment without Payment Page for Credit card"). The
    user's KYC must have been submitted first. The response's `pageData` is an HTML document that
    leads to 3-D Secure or to `successURL`/`failURL`, where C-Pay appends `txnRef=<orderId>`; open or
    render it. A declined payment returns code 90751015 ("pay fail"); a charge the acquirer will not
    open returns 90751019 ("create order fail: ...") with `data` null (the vendor's later
    documentation).

    The request carries the full card number and CVV: send it only over TLS and never log it.

    Args:
        body (PwppRequest): Parameters of `pwpp` (section 12), besides `merchantId` and `sign`.
            Holds card data: never log it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PwppResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PwppRequest,
) -> Response[PwppResponse]:
    """Pay by credit card without a payment page (H2H)

     Host-to-host card payment (section 12, "Payment without Payment Page for Credit card"). The
    user's KYC must have been submitted first. The response's `pageData` is an HTML document that
    leads to 3-D Secure or to `successURL`/`failURL`, where C-Pay appends `txnRef=<orderId>`; open or
    render it. A declined payment returns code 90751015 ("pay fail"); a charge the acquirer will not
    open returns 90751019 ("create order fail: ...") with `data` null (the vendor's later
    documentation).

    The request carries the full card number and CVV: send it only over TLS and never log it.

    Args:
        body (PwppRequest): Parameters of `pwpp` (section 12), besides `merchantId` and `sign`.
            Holds card data: never log it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PwppResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: PwppRequest,
) -> PwppResponse | None:
    """Pay by credit card without a payment page (H2H)

     Host-to-host card payment (section 12, "Payment without Payment Page for Credit card"). The
    user's KYC must have been submitted first. The response's `pageData` is an HTML document that
    leads to 3-D Secure or to `successURL`/`failURL`, where C-Pay appends `txnRef=<orderId>`; open or
    render it. A declined payment returns code 90751015 ("pay fail"); a charge the acquirer will not
    open returns 90751019 ("create order fail: ...") with `data` null (the vendor's later
    documentation).

    The request carries the full card number and CVV: send it only over TLS and never log it.

    Args:
        body (PwppRequest): Parameters of `pwpp` (section 12), besides `merchantId` and `sign`.
            Holds card data: never log it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PwppResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
