from django.contrib import admin

from loans.models import Loan


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
    raw_id_fields = ("customer",)
    readonly_fields = (
        "loan_amount",
        "interest_rate",
        "monthly_installment",
        "emis_paid_on_time",
        "created_at",
        "updated_at",
    )
