from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = "Historical data ingestion"

    def ready(self) -> None:
        from core.jobs import register_job_kind
        from core.metrics import register_collector
        from ingestion.metrics import INGESTED_ROWS
        from ingestion.models import IngestionJob
        from ingestion.tasks import run_ingestion

        register_collector(INGESTED_ROWS)
        register_job_kind(IngestionJob, run_ingestion)
