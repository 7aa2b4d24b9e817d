from celery import shared_task

from .services import journal_heads_record


@shared_task(name="ledger.journal_heads_record_task")
def journal_heads_record_task() -> int:
    """Periodic, after midnight Vietnam time: record the head of every journal for the day just over."""
    return journal_heads_record()
