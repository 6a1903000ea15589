from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = "Historical data ingestion"

    def ready(self) -> None:
        from core.metrics import register_collector
        from ingestion.metrics import INGESTED_ROWS

        register_collector(INGESTED_ROWS)
