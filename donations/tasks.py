from celery import shared_task

from .services import statement_import_run


@shared_task(name="donations.statement_import_task")
def statement_import_task(import_id: int) -> str:
    """Import one stored bank statement, or resume it after its committed chunks. Idempotent: a
    finished import is left as it is, and one another run is working on is left to that run."""
    return statement_import_run(import_id=import_id).status
