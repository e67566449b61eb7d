"""Bare FastAPI app serving the two benchmarked routes from a dict.

It is the ceiling of the load benchmark. It runs on the same server stack as
the mock (uvicorn with uvloop and httptools) but has no spec-driven
validation, no store and no event hooks. The gap between it and the mock is
therefore the mock's own cost. It keeps the work a real handler cannot skip: body parsing into a typed
model, decimal arithmetic and a JSON response of the same shape.

Run: uvicorn --app-dir bench ceiling_app:app --loop uvloop --http httptools
"""

import itertools
import secrets
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Literal

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

SEEDED_ORGANIZATION_ID = "bench-org"

app = FastAPI(title="bench ceiling")

# Spend and quota per organization id; the benchmark reads one seeded organization.
_spend_by_organization: dict[str, tuple[Decimal, Decimal]] = {
    SEEDED_ORGANIZATION_ID: (Decimal("12.5"), Decimal("100")),
}
_keys: dict[str, dict[str, Any]] = {}
_key_ids = itertools.count(1)


class KeyCreate(BaseModel):
    c_organization_id: str = Field(min_length=1, max_length=128, pattern=r"^[^/\x00-\x1f\x7f]{1,128}$")
    c_team_id: str | None = None
    c_user_id: str | None = None
    key_type: Literal["ORG", "TEAM_ALL", "TEAM_USER", "USER"]
    quota: Decimal = Field(ge=0)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@app.get("/spend/org/{c_organization_id}")
async def get_organization_spend(c_organization_id: str) -> dict[str, str]:
    try:
        spend, quota = _spend_by_organization[c_organization_id]
    except KeyError:
        raise HTTPException(404, f"Organization {c_organization_id!r} not found") from None
    return {"spend": str(spend), "quota": str(quota), "remaining": str(quota - spend)}


@app.post("/keys/", status_code=201)
async def create_key(body: KeyCreate) -> dict[str, Any]:
    if body.c_organization_id not in _spend_by_organization:
        raise HTTPException(404, f"Organization {body.c_organization_id!r} not found")
    key_number = next(_key_ids)
    now = _now()
    key = {
        "id": key_number,
        "key_id": f"key-{key_number}",
        "c_organization_id": body.c_organization_id,
        "c_team_id": body.c_team_id,
        "c_user_id": body.c_user_id,
        "key_type": body.key_type,
        "quota": str(body.quota),
        "litellm_key": "sk-" + secrets.token_hex(16),
        "created_at": now,
        "updated_at": now,
    }
    _keys[f"key-{key_number}"] = key
    return key
