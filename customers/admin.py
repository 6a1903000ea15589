from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "first_name",
        "last_name",
        "phone_number",
        "monthly_salary",
        "approved_limit",
    )
    search_fields = ("first_name", "last_name", "=phone_number")
    readonly_fields = ("approved_limit", "created_at", "updated_at")
