"""The request id travels with every Celery task a request starts, as a message header, and is
the id of every log record the task writes (core.logging.REQUEST_ID). Any task, without each
one passing it by hand; a task a task starts (a retry too) keeps it."""

from contextvars import Token
from typing import Any

from celery import Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.logging import REQUEST_ID

HEADER = "request_id"
# The value each running task replaced, by task id, to put back when it ends: an eager task
# runs inside the request that started it and must leave the request's id in place.
_replaced: dict[str, Token[str | None]] = {}


@before_task_publish.connect
def send_the_request_id(headers: dict[str, Any], **_: Any) -> None:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect
def take_the_request_id(task_id: str, task: Task, **_: Any) -> None:  # type: ignore[type-arg]
    request_id = task.request.get(HEADER) or REQUEST_ID.get()
    _replaced[task_id] = REQUEST_ID.set(request_id)


@task_postrun.connect
def drop_the_request_id(task_id: str, **_: Any) -> None:
    token = _replaced.pop(task_id, None)
    if token is not None:
        REQUEST_ID.reset(token)
