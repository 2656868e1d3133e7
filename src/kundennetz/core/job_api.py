"""The API's view of a background job (`JobOut`): what every POST that starts long work answers with
202, and what `GET /api/jobs/{id}` shows while it runs and once it is done."""

from datetime import datetime

from ninja import Field, Schema


class JobProgress(Schema):
    done: int
    total: int


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str = Field(description="`queued`, `running`, `done` or `failed` (then `reason` says why).")
    created_at: datetime
    finished_at: datetime | None
    progress: JobProgress
    reason: str
    record: str | None = Field(description="API address of the record the job works on, when there is one "
                                           "(e.g. the scenario being computed).")
    result: str | None = Field(description="API address of the result once the job is done (e.g. the new "
                                           "snapshot or the computed scenario).")
    message: str = Field(description="What was done, once done; in the language of the request that started it.")
    file_name: str
    file_size: int
    expires_at: datetime | None
    download: str | None

    @staticmethod
    def resolve_progress(obj) -> dict:
        return {"done": obj.done, "total": obj.total}

    @staticmethod
    def resolve_record(obj) -> str | None:
        return obj.params.get("record") or None

    @staticmethod
    def resolve_result(obj) -> str | None:
        return (obj.result or {}).get("api") if obj.status == "done" else None

    @staticmethod
    def resolve_message(obj) -> str:
        return (obj.result or {}).get("message", "") if obj.status == "done" else ""

    @staticmethod
    def resolve_download(obj) -> str | None:
        return f"/api/jobs/{obj.pk}/download" if obj.downloadable else None
