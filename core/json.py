"""JSON in and out of the API with money kept as Decimal.

Incoming numbers with a fraction are parsed straight to Decimal (never through float), and
outgoing Decimals are written as JSON numbers with the digits they carry (100000.00, not 100000.0).
"""

from decimal import Decimal
from typing import Any

import orjson
import simplejson
from django.conf import settings
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Python refuses to convert integers of more digits than this (sys.get_int_max_str_digits).
_LONGEST_INT = 4300


def _integer(digits: str) -> int | Decimal:
    """A JSON integer; one too long for an int stays a Decimal, for the fields to refuse."""
    return int(digits) if len(digits) <= _LONGEST_INT else Decimal(digits)


class TooLarge(APIException):
    """413: a body over its limit (a JSON body's API_MAX_BODY_BYTES, an upload's cap)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


class DecimalJSONParser(BaseParser):
    """JSON bodies of at most API_MAX_BODY_BYTES, in UTF-8 (RFC 8259), numbers as Decimal.
    Errors say what is wrong with the body, never what Python made of it."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise TooLarge(f"A JSON body may be at most {limit} bytes.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("Malformed JSON: the body is not UTF-8 text.") from None
        try:
            return simplejson.loads(
                text,
                parse_float=Decimal,
                parse_int=_integer,
                parse_constant=_reject_constant,
                allow_nan=False,
            )
        except simplejson.JSONDecodeError as exc:
            raise ParseError(
                f"Malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None
        except ValueError as exc:  # a constant (NaN, Infinity) named by _reject_constant
            raise ParseError(f"Malformed JSON: {exc}.") from None
        except RecursionError:
            raise ParseError("Malformed JSON: nested too deeply.") from None


def _decimal_as_number(value: Any) -> orjson.Fragment:
    """orjson's hook for what it does not know: a Decimal goes in as the JSON number it
    spells (str, as simplejson's use_decimal wrote it); anything else is an error."""
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class DecimalJSONRenderer(BaseRenderer):
    """Compact UTF-8 JSON by orjson, about a tenth of simplejson's CPU for a loan's body."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_decimal_as_number)


# Accept values that mean "JSON is fine": the usual ones, answered without parsing the header.
_JSON_IS_FINE = frozenset({"", "*/*", "application/json"})


class JsonFirstNegotiation(DefaultContentNegotiation):
    """The API speaks JSON only. DRF's negotiation parses the Accept header on every request
    (a tenth of a lookup's CPU); a client that sends none, */* or application/json gets the
    JSON renderer straight away, and anything else goes through the full negotiation (a 406
    where nothing matches)."""

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> Any:
        accept = request.META.get("HTTP_ACCEPT", "")
        if format_suffix is None and accept in _JSON_IS_FINE:
            renderer = renderers[0]
            if renderer.media_type == "application/json":
                return renderer, renderer.media_type
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:  # DRF's answer to a ?format= no renderer has
            raise NotAcceptable("No such format: JSON is what this endpoint answers.") from None
