import logging

from celery import shared_task

from .services import statement_import_run
from .services.statements import statement_imports_resume

logger = logging.getLogger(__name__)

# An import commits its rows in chunks and resumes after them, so a limit only stops a run: the
# import is then marked as stopped midway (soft) or shows no more sign of life (hard), and is
# resumed by staff or by the sweep below. A 100,000-row statement takes about a minute.
IMPORT_SOFT_TIME_LIMIT = 15 * 60
IMPORT_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60


@shared_task(
    name="donations.statement_import_task", soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT
)
def statement_import_task(import_id: int) -> str:
    """Import one stored bank statement, or resume it after its committed chunks. Idempotent: a
    finished import is left as it is, and one another run is working on is left to that run."""
    return statement_import_run(import_id=import_id).status


def statement_import_send(import_id: int) -> None:
    """Send an import's task. With the broker down the import stays waiting, nothing is lost: the
    sweep sends it again once the broker is back."""
    try:
        statement_import_task.delay(import_id)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning("could not send statement import %s to the workers; the sweep will send it again",
                       import_id, exc_info=True)


@shared_task(name="donations.statement_imports_resume_task", ignore_result=True, soft_time_limit=60, time_limit=90)
def statement_imports_resume_task() -> list[int]:
    """Periodic: send again the imports that show no sign of life (a task lost with the broker, a
    worker killed mid-file); each resumes after its committed rows."""
    return statement_imports_resume()
