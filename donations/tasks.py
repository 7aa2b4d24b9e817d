from celery import shared_task

from .services import statement_import_run


@shared_task(name="donations.statement_import_task")
def statement_import_task(import_id: int) -> str:
    """Import one stored bank statement. Idempotent: a finished import is not run again."""
    return statement_import_run(import_id=import_id).status
