"""The pages' login dependency: Airflow's own user check, anonymous browsers sent to its login page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False)


async def require_login(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Any:
    """The logged-in Airflow user, from the UI's cookie or an API token (``Authorization: Bearer``).

    FastAPI caches it per request, so a page may depend on it again to check permissions.
    """
    from airflow.api_fastapi.core_api.security import get_user

    try:
        return await get_user(request, None, credentials)
    except HTTPException as exc:
        if exc.status_code in (401, 403):
            raise HTTPException(status_code=307, headers={"Location": f"/auth/login?next={request.url.path}"}) from exc
        raise
