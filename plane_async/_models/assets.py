"""Files: work-item attachments, workspace assets and the presigned upload tickets."""

from __future__ import annotations

import uuid
from typing import Any

from ._base import UNSET, PlaneModel, model
from ._relations import Expanded, RelatedId
from .misc import Audited, ProjectLite, WorkspaceLite
from .users import User

__all__ = ["AssetDownload", "AssetUpload", "Attachment", "UploadForm"]


@model
class Attachment(Audited):
    """A stored file (Plane's FileAsset): a work item's attachment, or a workspace asset.

    ``name``, ``content_type`` and ``size`` are what the upload declared (``attributes``).
    """

    attributes: dict[str, Any] = UNSET
    #: the storage key or URL Plane keeps for the file (not a download link)
    asset: str | None = UNSET
    user: uuid.UUID | User | None = UNSET
    workspace: uuid.UUID | WorkspaceLite | None = UNSET
    draft_issue: uuid.UUID | None = UNSET
    project: uuid.UUID | ProjectLite | None = UNSET
    issue: uuid.UUID | None = UNSET
    comment: uuid.UUID | None = UNSET
    page: uuid.UUID | None = UNSET
    entity_type: str | None = UNSET
    entity_identifier: str | None = UNSET
    is_deleted: bool = UNSET
    is_archived: bool = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET
    size: float = UNSET
    is_uploaded: bool = UNSET
    storage_metadata: dict[str, Any] | None = UNSET

    user_id = RelatedId[uuid.UUID | None]("user")
    user_detail = Expanded[User | None]("user")
    workspace_id = RelatedId[uuid.UUID | None]("workspace")
    workspace_detail = Expanded[WorkspaceLite | None]("workspace")
    project_id = RelatedId[uuid.UUID | None]("project")
    project_detail = Expanded[ProjectLite | None]("project")
    #: only on workspace assets: Plane's own path to the file
    asset_url: str | None = UNSET

    @property
    def name(self) -> str | None:
        """The file name given at upload."""
        value = self.attributes.get("name")
        return value if isinstance(value, str) else None

    @property
    def content_type(self) -> str | None:
        """The MIME type given at upload."""
        value = self.attributes.get("type")
        return value if isinstance(value, str) else None


@model
class UploadForm(PlaneModel):
    """Where and how to POST the file: the storage URL and the form fields it signed."""

    url: str = UNSET
    fields: dict[str, str] = UNSET


@model
class AssetUpload(PlaneModel):
    """Plane's answer to "I want to upload a file": the presigned form and the new asset."""

    upload_data: UploadForm = UNSET
    asset_id: uuid.UUID = UNSET
    asset_url: str | None = UNSET
    #: the attachment row (work-item attachments only; not yet uploaded)
    attachment: Attachment = UNSET


@model
class AssetDownload(PlaneModel):
    """A workspace asset's presigned download link and what the upload declared."""

    asset_id: uuid.UUID = UNSET
    asset_url: str = UNSET
    asset_name: str = UNSET
    asset_type: str = UNSET
