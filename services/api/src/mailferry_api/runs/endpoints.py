"""Run endpoints: one run, a mailbox's runs."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db
from mailferry_api.errors import NotFoundError
from mailferry_api.runs import queries
from mailferry_api.runs.schemas import RunOut, RunPage

router = APIRouter(tags=["runs"])


@router.get("/runs/{run_id}", response_model=RunOut, **requires(Permission.READ))
async def get_run(run_id: uuid.UUID, db: Db) -> RunOut:
    """One run."""
    row = await queries.get_run(db, run_id)
    if row is None:
        raise NotFoundError(f"run {run_id} does not exist", code="run_not_found")
    return RunOut.model_validate(row)


@router.get("/mailboxes/{mailbox_id}/runs", response_model=RunPage, **requires(Permission.READ))
async def list_mailbox_runs(
    mailbox_id: uuid.UUID,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> RunPage:
    """A mailbox's runs, newest first."""
    rows, total = await queries.runs_of_mailbox(db, mailbox_id, limit=limit, offset=offset)
    if total == 0 and not await queries.mailbox_exists(db, mailbox_id):
        raise NotFoundError(f"mailbox {mailbox_id} does not exist", code="mailbox_not_found")
    return RunPage(
        items=[RunOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
