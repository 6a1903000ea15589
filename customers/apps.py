from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from core.health import register_count
        from customers.errors import CustomerErrorCode
        from customers.models import Customer

        register_error_codes(CustomerErrorCode)
        register_count("customers", Customer.objects.count)
