"""Read-model rows -> job responses."""

from typing import Any

from mailferry_api.jobs.schemas import JobOut, ServerOut


def job_out(row: dict[str, Any]) -> JobOut:
    """The response of one ``migration_jobs`` row."""
    source = None
    if row["source_host"] is not None:
        source = ServerOut(
            host=row["source_host"],
            port=row["source_port"],
            security=row["source_security"],
            label=row["source_server_label"],
        )
    destination = ServerOut(
        host=row["dest_imap_host"], port=row["dest_imap_port"], security=row["dest_security"]
    )
    fields = {k: v for k, v in row.items() if k in JobOut.model_fields}
    fields.update(
        gate=row["migration_gate"],
        source=source,
        destination=destination,
        sync_percent=float(row["sync_percent"]),
    )
    return JobOut.model_validate(fields)
