from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from core import clock
from core.admin import ReadOnlyAdmin
from loans.models import Loan, Payment
from loans.servicing import schedule_of


class PaymentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Payment
    fields = ("paid_on", "amount", "settles_loan", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Money is read-only: amounts, rates and installments change only through the services."""

    list_display = (
        "id",
        "customer",
        "loan_amount",
        "interest_rate",
        "tenure",
        "status",
        "end_date",
    )
    list_filter = ("status", "origin")
    search_fields = (
        "=id",
        "customer__first_name",
        "customer__last_name",
        "=customer__phone_number",
    )
    list_select_related = ("customer",)
    # Terms and servicing state come from decisions, payments and the history files: an edit
    # here would leave the EMI, the schedule and the installments paid disagreeing.
    readonly_fields = (
        "customer",
        "loan_amount",
        "tenure",
        "interest_rate",
        "monthly_installment",
        "emis_paid_on_time",
        "installments_paid",
        "start_date",
        "end_date",
        "status",
        "origin",
        "source_loan_id",
        "repayment_schedule",
        "created_at",
        "updated_at",
    )
    inlines = (PaymentInline,)

    @admin.display(description="Repayment schedule")
    def repayment_schedule(self, loan: Loan) -> str:
        if loan.pk is None:
            return "-"
        rows = schedule_of(loan.pk, clock.today()).installments
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (r.number, r.due_date, r.amount, r.interest, r.principal, r.balance, r.status)
                for r in rows
            ),
        )
        return format_html(
            "<table><tr><th>#</th><th>due</th><th>amount</th><th>interest</th>"
            "<th>principal</th><th>balance</th><th>status</th></tr>{}</table>",
            body,
        )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "loan", "paid_on", "amount", "settles_loan")
    list_select_related = ("loan",)
    search_fields = ("=loan__id",)
