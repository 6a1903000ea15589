from django.contrib import admin

from core.admin import ReadOnlyAdmin
from decisions.models import CreditDecision


@admin.register(CreditDecision)
class CreditDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "kind", "approved", "credit_score", "policy_version", "as_of")
    list_filter = ("kind", "approved", "policy_version")
    search_fields = ("=customer__id", "=loan__id")
    list_select_related = ("customer",)
