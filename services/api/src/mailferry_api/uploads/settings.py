"""Upload settings, mixed into ``ApiSettings``."""

import re

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GIB = 1024**3
MULTIPART_SLACK = 64 * 1024
"""Room for the multipart framing and the form fields around the file."""
UPLOAD_PATH = re.compile(r"^/api/v1/migration/jobs/[^/]+/upload-pst/?$")
"""The route whose body may be as large as an upload (the body limit middleware asks)."""


class UploadSettings(BaseSettings):
    """How large an upload may be."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    max_pst_gb: float = Field(
        default=50.0, gt=0, description="Largest PST, mbox or eml zip accepted, in GiB"
    )

    @property
    def max_upload_bytes(self) -> int:
        """The file limit in bytes."""
        return int(self.max_pst_gb * GIB)

    @property
    def max_upload_body_bytes(self) -> int:
        """The request body limit of the upload route: the file plus multipart framing."""
        return self.max_upload_bytes + MULTIPART_SLACK
