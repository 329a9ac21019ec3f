"""HTTP Basic sign-in for the API's routes."""

from __future__ import annotations

import secrets

from fastapi import Depends
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.exceptions import HTTPException as StarletteHTTPException


def password_check(credentials: tuple[str, str]):
    """A dependency that asks for HTTP Basic credentials equal to ``credentials``."""
    basic = HTTPBasic(auto_error=False)

    def check(given: HTTPBasicCredentials | None = Depends(basic)) -> None:
        user_ok = given is not None and secrets.compare_digest(given.username.encode(), credentials[0].encode())
        password_ok = given is not None and secrets.compare_digest(given.password.encode(), credentials[1].encode())
        if not (user_ok and password_ok):
            raise StarletteHTTPException(401, "Sign in: this server asks for a user name and password.",
                                         headers={"WWW-Authenticate": "Basic"})

    return check
