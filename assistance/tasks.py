from celery import shared_task

from .services import beneficiary_list_import_run


@shared_task(name="assistance.list_import_task")
def list_import_task(list_import_id: int) -> str:
    """Add a commune's checked list to the registry and its programme. Idempotent: a list already added
    (or failed) is left as it is."""
    return beneficiary_list_import_run(list_import_id=list_import_id).status
