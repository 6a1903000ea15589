"""An officer's follow-up on a loan: notes, and promises to pay with whether each was kept."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import who_asked
from core.contract import parse, respond
from core.idempotency import idempotent
from core.schema import error_responses, query_parameters
from loans.contracts import (
    NoteInput,
    NoteOutput,
    NotesPageOutput,
    PageQuery,
    PromiseInput,
    PromiseOutput,
    PromisesPageOutput,
)
from loans.errors import LoanClosed, LoanNotFound
from loans.follow_up import notes_of, promise_views, promises_of
from loans.permissions import SERVICING
from loans.services import add_note, record_promise
from loans.worklists_api import LoanPage


class LoanNotesApi(APIView):
    roles = SERVICING

    @extend_schema(
        summary="A loan's notes, newest first, paged",
        parameters=query_parameters(PageQuery),
        responses={200: NotesPageOutput, **error_responses(400, 404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        parse(PageQuery, request.query_params)
        paginator = LoanPage()
        notes = paginator.paginate_queryset(notes_of(loan_id), request, view=self) or []
        return respond(NotesPageOutput, paginator.answer([NoteOutput.of(note) for note in notes]))

    @extend_schema(
        summary="Write a note on a loan (a call, a visit): kept as written, with who and when",
        request=NoteInput,
        responses={
            201: NoteOutput,
            **error_responses(400, 404, 409, 422, examples=(LoanNotFound(42),)),
        },
        examples=[
            OpenApiExample(
                "a call", request_only=True, value={"text": "Called; salary comes on the 5th."}
            )
        ],
    )
    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        note = parse(NoteInput, request.data)
        written = add_note(loan_id, note.text, written_by=who_asked(request))
        return respond(NoteOutput, NoteOutput.of(written), status.HTTP_201_CREATED)


class LoanPromisesApi(APIView):
    roles = SERVICING

    @extend_schema(
        summary="A loan's promises to pay, newest first, paged, each kept, pending or broken",
        parameters=query_parameters(PageQuery),
        responses={
            200: PromisesPageOutput,
            **error_responses(400, 404, examples=(LoanNotFound(42),)),
        },
    )
    def get(self, request: Request, loan_id: int) -> Response:
        parse(PageQuery, request.query_params)
        paginator = LoanPage()
        promises = paginator.paginate_queryset(promises_of(loan_id), request, view=self) or []
        rows = [PromiseOutput.of(view) for view in promise_views(promises, clock.today())]
        return respond(PromisesPageOutput, paginator.answer(rows))

    @extend_schema(
        summary="Record a borrower's promise to pay an amount by a day (today or later)",
        request=PromiseInput,
        responses={
            201: PromiseOutput,
            **error_responses(400, 404, 409, 422, examples=(LoanNotFound(42), LoanClosed(42))),
        },
    )
    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        promise = parse(PromiseInput, request.data)
        today = clock.today()
        made = record_promise(
            loan_id,
            promise.promised_on,
            promise.promised_amount,
            as_of=today,
            made_by=who_asked(request),
        )
        (view,) = promise_views([made], today)
        return respond(PromiseOutput, PromiseOutput.of(view), status.HTTP_201_CREATED)
