"""HTTP shapes of uploads."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from mailferry_api.schemas import ResponseModel


class UploadOut(ResponseModel):
    """A stored upload."""

    upload_id: uuid.UUID = Field(description="Id of the upload")
    job_id: uuid.UUID = Field(description="Job")
    mailbox_id: uuid.UUID = Field(description="Mailbox the file belongs to")
    kind: Literal["pst", "mbox", "eml_zip"] = Field(description="File kind")
    filename: str = Field(description="Client file name, for display only")
    size_bytes: int = Field(description="Size in bytes")
    sha256: str = Field(description="SHA-256 of the content (hex)")
    duplicate_of: uuid.UUID | None = Field(
        default=None, description="Earlier upload with the same content (no second copy kept)"
    )
    uploaded_by: str | None = Field(default=None, description="Who uploaded it")
    uploaded_at: datetime | None = Field(default=None, description="When")
    sequence: int | None = Field(default=None, description="Stream sequence of UploadStored")


class UploadStatusOut(ResponseModel):
    """An upload while it streams (``receiving``) or once stored."""

    upload_id: uuid.UUID = Field(description="Id of the upload")
    state: Literal["receiving", "stored"] = Field(description="Still arriving, or stored")
    bytes_received: int = Field(description="Bytes stored so far (whole chunks while receiving)")
    upload: UploadOut | None = Field(default=None, description="The upload, once stored")


class UploadList(ResponseModel):
    """Uploads of a job, newest first."""

    items: list[UploadOut] = Field(description="Uploads")
