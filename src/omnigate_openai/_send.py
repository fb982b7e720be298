"""The one place a request leaves the client: redirects, masked headers, the deadline, whole bodies.

The SDK's `_send_request` hook is overridden to send through here, so that:
- a redirect is followed only within the gateway's origin: another origin would receive the gateway
  key, the admin key and the body (httpx strips only `Authorization` across origins), so it is
  refused with `RedirectRefusedError` naming the target;
- the request's headers show the gateway's credential headers masked in any repr (an error reporter
  that logs `e.request.headers` leaks nothing); what is sent is unchanged;
- every attempt's timeouts are cut to what the call's deadline leaves (`_bounds.py`), and the body
  is cut when it passes (`_watchdog.py`);
- a body (every non-stream answer, and any error answer) is read here: once an answer has started,
  a cut is a `ConnectionError` that is not re-sent, since the gateway may have billed the call
  (a GET is still retried by the SDK: it bills nothing).
"""

from __future__ import annotations

from typing import Any

from . import _watchdog
from ._bounds import DEADLINE_KEY, CallClock, capped_timeouts, current_clock, deadline_error, deadline_of
from ._exceptions import ConnectionError, RedirectRefusedError
from ._masking import mask_request_headers, masked_url
from ._sdk import httpx

__all__ = ["aread_whole", "asend", "check_deadline", "read_whole", "release", "send"]

_WATCH_KEY = "omnigate_openai.watch"


def send(client: Any, request: Any, *, stream: bool, **kwargs: Any) -> Any:
    """`client.send(...)` for the SDK, as the module docstring says. `client` is httpx's or httpx2's."""
    follow = _follows(client, kwargs.pop("follow_redirects", None))
    origin, hops = request.url, 0
    while True:
        _arm(request)
        response = client.send(request, stream=True, follow_redirects=False, **kwargs)
        following, refused = _next_hop(response, origin, follow=follow, hops=hops, limit=client.max_redirects)
        if refused is not None:
            response.close()
            raise refused
        if following is None:
            break
        response.close()
        request, hops = following, hops + 1
    _watch(response)
    if stream and not response.is_error:
        return response
    chunks: list[bytes] = []
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            _check_deadline(response)
    except httpx.TransportError as exc:
        response.close()
        error = _cut(response, exc, chunks)
        if error is exc:  # a GET: the SDK retries it
            raise
        raise error from exc
    except BaseException:
        response.close()
        raise
    finally:
        release(response)
    response._content = b"".join(chunks)
    return response


async def asend(client: Any, request: Any, *, stream: bool, **kwargs: Any) -> Any:
    """`send`, for the async client."""
    follow = _follows(client, kwargs.pop("follow_redirects", None))
    origin, hops = request.url, 0
    while True:
        _arm(request)
        response = await client.send(request, stream=True, follow_redirects=False, **kwargs)
        following, refused = _next_hop(response, origin, follow=follow, hops=hops, limit=client.max_redirects)
        if refused is not None:
            await response.aclose()
            raise refused
        if following is None:
            break
        await response.aclose()
        request, hops = following, hops + 1
    _watch(response)
    if stream and not response.is_error:
        return response
    chunks: list[bytes] = []
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            _check_deadline(response)
    except httpx.TransportError as exc:
        await response.aclose()
        error = _cut(response, exc, chunks)
        if error is exc:  # a GET: the SDK retries it
            raise
        raise error from exc
    except BaseException:
        await response.aclose()
        raise
    finally:
        release(response)
    response._content = b"".join(chunks)
    return response


def read_whole(response: Any) -> None:
    """Read the rest of a streamed answer that is not what was asked for, to quote it in the error."""
    try:
        response.read()
    except httpx.TransportError as exc:
        response.close()
        raise _cut(response, exc, None) from exc


async def aread_whole(response: Any) -> None:
    """`read_whole`, for the async client."""
    try:
        await response.aread()
    except httpx.TransportError as exc:
        await response.aclose()
        raise _cut(response, exc, None) from exc


def release(response: Any) -> None:
    """The response is done with (read or closed): its socket no longer needs watching."""
    token = response.request.extensions.pop(_WATCH_KEY, None)
    if token is not None:
        _watchdog.cancel(token)


def check_deadline(response: Any) -> None:
    """Raise the deadline's timeout if the call's time is up (between two chunks of a body)."""
    _check_deadline(response)


def _follows(client: Any, asked: bool | None) -> bool:
    return bool(client.follow_redirects if asked is None else asked)


def _arm(request: Any) -> None:
    mask_request_headers(request)
    clock = current_clock()
    if clock is None or clock.ends_at is None:
        return
    left = clock.remaining()
    if left is None or left <= 0:
        raise deadline_error(clock, request)
    request.extensions[DEADLINE_KEY] = clock
    request.extensions["timeout"] = capped_timeouts(dict(request.extensions.get("timeout") or {}), left)


def _watch(response: Any) -> None:
    clock = deadline_of(response.request)
    if clock is None or clock.ends_at is None:
        return
    sock = _watchdog.socket_of(response)
    if sock is not None:
        response.request.extensions[_WATCH_KEY] = _watchdog.watch(sock, at=clock.ends_at)


def _check_deadline(response: Any) -> None:
    clock = deadline_of(response.request)
    if clock is not None and _passed(clock):
        raise deadline_error(clock, response.request)  # the reader closes the response


def _passed(clock: CallClock) -> bool:
    left = clock.remaining()
    return left is not None and left <= 0


def _next_hop(response: Any, origin: Any, *, follow: bool, hops: int, limit: int) -> tuple[Any, Exception | None]:
    """(the request to follow a redirect with, or None; or the refusal of a redirect to another origin)."""
    following = response.next_request
    if following is None or not follow or hops >= limit:
        return None, None
    if _origin(following.url) != _origin(origin):
        target = masked_url(str(following.url))
        return None, RedirectRefusedError(
            f"The gateway answered HTTP {response.status_code} redirecting to {target}, another origin than "
            f"{_origin_text(origin)}; not followed, so the gateway key and the request body stay with the "
            "gateway. If that host is the gateway, use it as `base_url`.",
            response=response,
            body=None,
            location=target,
        )
    return following, None


def _origin(url: Any) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def _origin_text(url: Any) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def _cut(response: Any, exc: Exception, received: list[bytes] | None) -> Exception:
    """The error for a body that stopped coming: the deadline's, a timeout, or a cut that is not re-sent.

    `received`: the body's pieces read so far, or None once the SDK's retries are behind (no retry).
    """
    request = response.request
    clock = deadline_of(request)
    if clock is not None and _passed(clock):
        return deadline_error(clock, request)
    if request.method == "GET" and received is not None:
        return exc  # the SDK retries it: a GET bills nothing
    timed_out = isinstance(exc, httpx.TimeoutException)
    what = "stopped sending (read timeout)" if timed_out else "was cut"
    subject = "stream" if received is None else "answer"
    where = "before its end" if received is None else f"after {sum(len(c) for c in received)} bytes of its body"
    return ConnectionError.for_timeout(timed_out)(
        f"The gateway's {subject} (HTTP {response.status_code}) {what} {where}; "
        "not re-sent, because the gateway may already have billed the call",
        request=request,
    )
