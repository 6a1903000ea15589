"""Views that raise Django's own exceptions, for test_django_errors.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer


class CustomerName(APIView):
    def get(self, request: Request, customer_id: int) -> Response:
        return Response({"name": get_object_or_404(Customer, pk=customer_id).name})


class Forbidden(APIView):
    def get(self, request: Request) -> Response:
        raise PermissionDenied


class FullClean(APIView):
    def get(self, request: Request) -> Response:
        Customer(first_name="", last_name="Rao", age=12).full_clean()
        return Response({})


class NotAField(APIView):
    def get(self, request: Request) -> Response:
        raise ValidationError("Not on a field.")


urlpatterns = [
    path("customers/<int:customer_id>/name", CustomerName.as_view()),
    path("forbidden", Forbidden.as_view()),
    path("full-clean", FullClean.as_view()),
    path("not-a-field", NotAField.as_view()),
]
