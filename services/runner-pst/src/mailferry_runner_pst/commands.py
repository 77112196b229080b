"""Build runner-pst's commands from a job request (pure): the dispatcher's ``CommandBuilder``.

A sync (initial, delta, final) or a retry of an import imports the mailbox's latest upload
(run type ``pst_upload``, also for mbox and eml zips: the gate reads the mode from the
request). A verify counts the upload again and the destination (run type ``verify``). A
preflight has nothing to check for a file. A mailbox without an upload still gets its command,
with ``NO_UPLOAD``, so the run ends with a clear ``invalid_input`` naming the mailbox instead of
silently doing nothing.
"""

import uuid
from typing import Any, Literal

from mailferry_bus.runners import Selected
from mailferry_contracts.common import RunType, SourceType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import UploadStored
from mailferry_contracts.runs import StartUploadImport

NO_UPLOAD = uuid.UUID(int=0)
"""``upload_id`` of a command for a mailbox that has no upload yet."""
_NO_DIGEST = "0" * 64

UploadKind = Literal["pst", "mbox", "eml_zip"]
_IMPORTS = frozenset(
    {RunType.INITIAL, RunType.DELTA, RunType.FINAL, RunType.PST_EXTRACT, RunType.PST_UPLOAD}
)
_KIND_OF_SOURCE: dict[SourceType, UploadKind] = {
    SourceType.PST: "pst",
    SourceType.MBOX: "mbox",
    SourceType.EML: "eml_zip",
}


def run_type_for(requested: RunType) -> RunType | None:
    """What runner-pst runs for a requested run type (None: nothing)."""
    if requested in _IMPORTS:
        return RunType.PST_UPLOAD
    if requested == RunType.VERIFY:
        return RunType.VERIFY
    return None


def build_command(
    view: JobView, selected: Selected, run_id: uuid.UUID, request_id: uuid.UUID
) -> StartUploadImport | None:
    """The self-contained command for one mailbox, or ``None`` when there is nothing to run."""
    job = view.created
    run_type = run_type_for(selected.run_type)
    if job is None or run_type is None:
        return None
    spec = selected.spec
    fields: dict[str, Any] = {
        "run_id": run_id,
        "job_id": job.job_id,
        "mailbox_id": spec.mailbox_id,
        "request_id": request_id,
        "run_type": run_type,
        "destination": job.destination,
        "target_user": spec.target_user,
        "target_credential_ref": spec.target_credential_ref,
        "folder_map": {**job.options.folder_map, **spec.folder_map},
        "options": job.options,
        "concurrency_limit": view.concurrency_limit,
        "per_host_limit": view.per_host_limit,
        **_upload_fields(view.latest_upload.get(spec.mailbox_id), spec.source_type),
    }
    return StartUploadImport.model_validate(fields)


def _upload_fields(upload: UploadStored | None, source_type: SourceType) -> dict[str, Any]:
    if upload is None:
        kind = _KIND_OF_SOURCE.get(source_type, "pst")
        return {"upload_id": NO_UPLOAD, "kind": kind, "object_name": "", "sha256": _NO_DIGEST}
    return {
        "upload_id": upload.upload_id,
        "kind": upload.kind,
        "object_name": upload.object_name,
        "sha256": upload.sha256,
    }


def no_host(_: object) -> None:
    """Imports read a file, not a source server: no per-host limit applies."""
    return None
