"""The two ways a handler stops early: with a finished error answer, or by breaking the server."""

from __future__ import annotations

from starlette.responses import Response


class Refusal(Exception):
    """A finished error answer (401, 402, 422, 429, ...), raised from deep in a handler and sent as is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class ServerFault(Exception):
    """An unhandled server error, such as the usage insert failing on an over-long `x-user-id`.

    It escapes the handlers, so the answer is Starlette's plain-text 500 with no `x-request-id`.
    """


__all__ = ["Refusal", "ServerFault"]
