"""HTTP Basic sign-in for the API's routes."""

from __future__ import annotations

import secrets

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.exceptions import HTTPException as StarletteHTTPException


def password_check(credentials: tuple[str, str]):
    """A dependency that asks for HTTP Basic credentials equal to ``credentials``.

    A page that signs in with its own form sends ``X-Requested-With``; its 401s leave out
    ``WWW-Authenticate``, so the browser shows the page's message instead of its own password box."""
    basic = HTTPBasic(auto_error=False)

    def check(request: Request, given: HTTPBasicCredentials | None = Depends(basic)) -> None:
        user_ok = given is not None and secrets.compare_digest(given.username.encode(), credentials[0].encode())
        password_ok = given is not None and secrets.compare_digest(given.password.encode(), credentials[1].encode())
        if not (user_ok and password_ok):
            raise StarletteHTTPException(401, "Sign in: this server asks for a user name and password.",
                                         headers=None if request.headers.get("x-requested-with") else {"WWW-Authenticate": "Basic"})

    return check
