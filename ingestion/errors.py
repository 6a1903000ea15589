"""The ingestion app's errors.

Its endpoints answer with core's codes only: an unknown job is core's `not_found`, as clients
have always read it, so the app has no codes of its own to register.
"""

from core.errors import ConflictError, NotFoundError


class JobNotFound(NotFoundError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"No ingestion job with id {job_id}.")


class NotAPreview(ConflictError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"Ingestion job {job_id} is not a finished preview: nothing to apply.")


class PreviewExpired(ConflictError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"The files of preview {job_id} are no longer kept: upload them again.")
