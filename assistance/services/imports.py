"""Lists of people communes send (XLSX): checked whole, then added to the registry and the programme.

A list with a bad row, or with the same citizen ID twice, is rejected whole with the row and column of
each problem, and adds nothing. A good list adds the people the registry does not know, links those it
already knows (they keep one record across campaigns) and skips — reporting them — those already in
the programme. The citizen IDs are hashed as they are read and never stored.
"""

import hashlib
from dataclasses import astuple, dataclass, field
from io import BytesIO
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from campaigns.text import search_key
from donations.validators import normalize_vn_mobile, validate_no_html

from .. import citizen_id
from ..models import (
    MAX_HOUSEHOLD,
    Beneficiary,
    Enrollment,
    ListImport,
    SupportProgramme,
    Ward,
)
from ..scope import ward_scope_check

MAX_ROWS = 200_000
MAX_BYTES = 30 * 1024 * 1024
MAX_ERRORS = 200
CHUNK = 5_000
MAX_KNOWN_SHOWN = 2_000  # rows of people already known kept to show on the import's page

# Column headers as communes write them (folded: no diacritics, lower case), Vietnamese and English.
HEADERS = {
    "full_name": ("ho va ten", "ho ten", "full name", "name"),
    "citizen_id": ("so cccd", "cccd", "so can cuoc", "can cuoc cong dan", "so dinh danh", "citizen id"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "phone", "mobile"),
    "address": ("dia chi", "address"),
    "household_size": ("so nhan khau", "nhan khau", "so nguoi", "household size"),
}
REQUIRED = ("full_name", "citizen_id")


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    message: str


@dataclass
class ListImportResult:
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    added: int = 0
    linked: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, masked ID) already in the registry
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # already in the programme
    record: ListImport | None = None

    @property
    def rejected(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class ListRow:
    row: int
    full_name: str
    id_hash: str
    id_masked: str
    birth_year: int
    phone: str
    address: str
    household_size: int


def _header_map(header: tuple) -> tuple[dict[str, int], list[ImportProblem]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = search_key(str(cell or ""))
        for name, aliases in HEADERS.items():
            if key in aliases and name not in columns:
                columns[name] = index
    problems = [
        ImportProblem(1, name, _("No column “%(header)s” in the first row.") % {"header": HEADERS[name][0]})
        for name in REQUIRED if name not in columns
    ]
    return columns, problems


def _cell(values: tuple, index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def list_rows_read(*, file: BinaryIO) -> tuple[list[ListRow], list[ImportProblem]]:
    """Read and check every row of a list (first sheet, headers in the first row).

    Read with calamine (a compiled reader, ten times faster than openpyxl on a 100,000-row list).
    """
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(file).get_sheet_by_index(0)
        lines = sheet.iter_rows()
        header = next(lines, None)
    except Exception:  # noqa: BLE001 - the reader raises several kinds of error on a file that is not XLSX
        return [], [ImportProblem(0, "", _("This is not an XLSX file (Excel 2007 or later)."))]
    if header is None:
        return [], [ImportProblem(0, "", _("The list is empty."))]
    columns, problems = _header_map(header)
    if problems:
        return [], problems
    rows: list[ListRow] = []
    first_row_of: dict[str, int] = {}
    for number, values in enumerate(lines, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(ImportProblem(number, "", _("A list has at most %(max)s rows.") % {"max": MAX_ROWS}))
            break
        row_problems = []

        def problem(column: str, message: str) -> None:
            row_problems.append(ImportProblem(number, column, str(message)))

        name = " ".join(_cell(values, columns["full_name"]).split())
        if not name:
            problem("full_name", _("The name is missing."))
        elif len(name) > 120:
            problem("full_name", _("Keep this under %(limit)s characters.") % {"limit": 120})
        else:
            try:
                validate_no_html(name)
            except ValidationError as exc:
                problem("full_name", exc.messages[0])
        person, digest = None, ""
        try:
            typed = _cell(values, columns["citizen_id"])
            raw = values[columns["citizen_id"]] if columns["citizen_id"] < len(values) else None
            if isinstance(raw, int | float) and typed.isdigit() and len(typed) < 12:
                typed = typed.zfill(12)  # a number cell drops the leading zeros of a CCCD (010… → 10…)
            person = citizen_id.parse(typed)
        except ValidationError as exc:
            problem("citizen_id", exc.messages[0])
        phone = _cell(values, columns.get("phone"))
        if phone:
            try:
                phone = normalize_vn_mobile(phone.zfill(10) if phone.isdigit() and len(phone) == 9 else phone)
            except ValidationError as exc:
                problem("phone", exc.messages[0])
        address = _cell(values, columns.get("address"))[:255]
        size_text = _cell(values, columns.get("household_size")) or "1"
        size = int(size_text) if size_text.isdigit() else 0
        if not 1 <= size <= MAX_HOUSEHOLD:
            problem("household_size", _("A household has 1 to %(max)s people.") % {"max": MAX_HOUSEHOLD})
        if person is not None:
            digest = person.hash
            if digest in first_row_of:
                problem("citizen_id", _("The same citizen ID as row %(row)s.") % {"row": first_row_of[digest]})
            else:
                first_row_of[digest] = number
        if row_problems:
            if len(problems) < MAX_ERRORS:
                problems.extend(row_problems)
            continue
        rows.append(ListRow(number, name, digest, person.masked, person.birth_year, phone, address, size))
    if not rows and not problems:
        problems.append(ImportProblem(0, "", _("The list has no rows.")))
    return rows, problems


def beneficiary_list_check(
    *, programme: SupportProgramme, ward: Ward, file: BinaryIO, user: AbstractBaseUser
) -> tuple[list[ListRow], list[ImportProblem], str]:
    """Who may import this list for this programme and ward, and its rows checked whole: (rows, problems,
    SHA-256 of the file). Raises ValidationError for the upload itself (scope, programme, size)."""
    ward_scope_check(user=user, ward=ward, permission="assistance.add_listimport")
    if not programme.accepts_lists:
        raise ValidationError({"programme": [_("This programme does not take lists from communes.")]})
    if not programme.provinces.filter(pk=ward.province_id).exists():
        raise ValidationError({"ward": [_("This programme helps people in %(provinces)s only.") % {
            "provinces": ", ".join(p.name for p in programme.provinces.order_by("name"))}]})
    content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 30 MB.")]})
    rows, problems = list_rows_read(file=BytesIO(content))
    return rows, problems, hashlib.sha256(content).hexdigest()


def beneficiary_list_queue(
    *, programme: SupportProgramme, ward: Ward, rows: list[ListRow], file_name: str, sha256: str,
    user: AbstractBaseUser, run_later: bool = True,
) -> ListImport:
    """Keep a checked list (IDs already hashed) and have a task add it once this transaction commits:
    a request never waits for a hundred thousand inserts."""
    record = ListImport.objects.create(
        programme=programme, ward=ward, file_name=file_name[:255], sha256=sha256, rows=len(rows),
        pending_rows=[list(astuple(row)) for row in rows], imported_by=user,
    )
    if run_later:
        from ..tasks import list_import_task  # the task module imports the services

        transaction.on_commit(lambda: list_import_task.delay(record.pk))
    return record


def beneficiary_list_import_run(*, list_import_id: int) -> ListImport:
    """Add a queued list to the registry and the programme in one transaction. Idempotent: a list
    already added (or failed) is left as it is."""
    with transaction.atomic():
        record = ListImport.objects.select_for_update().select_related("programme", "ward", "imported_by").get(
            pk=list_import_id)
        if record.status != ListImport.Status.QUEUED:
            return record
        rows = [ListRow(*values) for values in record.pending_rows or []]
        try:
            with transaction.atomic():
                known = _save(record, rows=rows)
        except IntegrityError:
            # Someone added one of these people at the same moment: nothing of this list was saved.
            record.status = ListImport.Status.FAILED
        else:
            record.status = ListImport.Status.DONE
            record.known_rows = known[:MAX_KNOWN_SHOWN]
        record.pending_rows, record.finished_at = None, timezone.now()
        record.save()
    return record


def beneficiary_list_import(
    *, programme: SupportProgramme, ward: Ward, file: BinaryIO, file_name: str, user: AbstractBaseUser
) -> ListImportResult:
    """Check a list and, when it is good, add it at once (what the task does after an upload): for
    commands, tests and the bench. A rejected list adds nothing and leaves no record."""
    rows, problems, sha256 = beneficiary_list_check(programme=programme, ward=ward, file=file, user=user)
    result = ListImportResult(rows=len(rows), problems=problems)
    if problems:
        return result
    record = beneficiary_list_queue(programme=programme, ward=ward, rows=rows, file_name=file_name, sha256=sha256,
                                    user=user, run_later=False)
    record = beneficiary_list_import_run(list_import_id=record.pk)
    if record.status == ListImport.Status.FAILED:
        raise ValidationError(_("Another change to the registry happened at the same moment; import the list again."))
    result.added, result.record = record.added, record
    result.linked = [(row, name, masked) for row, name, masked, in_programme in record.known_rows if not in_programme]
    result.skipped = [(row, name, masked) for row, name, masked, in_programme in record.known_rows if in_programme]
    return result


def _save(record: ListImport, *, rows: list[ListRow]) -> list[list]:
    """Add the rows; returns [row, name, masked ID, already in the programme] of the people already known."""
    programme, ward, user = record.programme, record.ward, record.imported_by
    # One import of a programme at a time (imports and verifications add its people).
    SupportProgramme.objects.select_for_update().get(pk=programme.pk)
    known: dict[str, int] = {}
    for start in range(0, len(rows), CHUNK):
        hashes = [row.id_hash for row in rows[start:start + CHUNK]]
        known.update(Beneficiary.objects.filter(id_hash__in=hashes).values_list("id_hash", "pk"))
    now = timezone.now()
    new = [
        Beneficiary(id_hash=row.id_hash, id_masked=row.id_masked, birth_year=row.birth_year, full_name=row.full_name,
                    phone=row.phone, ward=ward, address=row.address, household_size=row.household_size,
                    created_at=now, created_by=user)
        for row in rows if row.id_hash not in known
    ]
    created = bulk_create_with_history(new, Beneficiary, batch_size=5000, default_user=user,
                                       default_change_reason=f"list {record.file_name}"[:100])
    if any(b.pk is None for b in created):  # databases that return no keys from a bulk insert
        for start in range(0, len(new), CHUNK):
            hashes = [b.id_hash for b in new[start:start + CHUNK]]
            known.update(Beneficiary.objects.filter(id_hash__in=hashes).values_list("id_hash", "pk"))
    else:
        known.update((b.id_hash, b.pk) for b in created)
    enrolled: set[int] = set()
    ids = [known[row.id_hash] for row in rows]
    for start in range(0, len(ids), CHUNK):
        enrolled.update(Enrollment.objects.filter(programme=programme, beneficiary_id__in=ids[start:start + CHUNK])
                        .values_list("beneficiary_id", flat=True))
    new_hashes = {b.id_hash for b in new}
    reported, enrollments = [], []
    for row in rows:
        pk = known[row.id_hash]
        if pk in enrolled:
            reported.append([row.row, row.full_name, row.id_masked, True])
            continue
        if row.id_hash not in new_hashes:
            reported.append([row.row, row.full_name, row.id_masked, False])
        enrollments.append(Enrollment(programme=programme, beneficiary_id=pk, ward=ward, source=Enrollment.Source.LIST,
                                      list_import=record, enrolled_by=user, enrolled_at=now))
    # The import is the record of who enrolled these people, when and from which file (each enrollment
    # points at it); their own history starts with their first change (being served).
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    record.added = len(new)
    record.skipped = sum(1 for entry in reported if entry[3])
    record.linked = len(reported) - record.skipped
    return reported
