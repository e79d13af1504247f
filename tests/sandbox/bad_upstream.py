"""A deliberately wrong RunningHub for proving that the Prism proxy flags spec violations.

Run as `python -m tests.sandbox.bad_upstream PORT`. Query answers a TaskResult with a wrong type
and a status value the spec does not list; submit answers a status the spec does not document (418).
"""

from __future__ import annotations

import sys

from aiohttp import web

from tests.support.api import QUERY, SUBMIT


async def bad_query(request: web.Request) -> web.Response:
    """A 200 whose body breaks the TaskResult schema."""
    return web.json_response({"taskId": 123, "status": "DONE"})


async def undocumented_status(request: web.Request) -> web.Response:
    """A status code the spec does not list."""
    return web.json_response({"errorCode": "1000"}, status=418)


def main() -> None:
    """Serve on 127.0.0.1:PORT until killed."""
    app = web.Application()
    app.router.add_post(QUERY, bad_query)
    app.router.add_post(SUBMIT, undocumented_status)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
