"""The bare Starlette JSON endpoint the HTTP benchmark compares against (same server, same run)."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(_request) -> JSONResponse:
    return JSONResponse({"data": {"hello": "world"}})


app = Starlette(routes=[Route("/json", hello, methods=["GET", "POST"])])
