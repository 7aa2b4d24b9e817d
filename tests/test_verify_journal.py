"""tools/verify_journal.py: a journal downloaded from the portal verifies; any change to it, to its
published heads or to the ledger download is caught at the first broken entry, with a clear message."""

import csv
import hashlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from donations.models import Receipt
from donations.services import receipt_record
from ledger.journal import goods_text
from ledger.models import JournalEntry
from ledger.services import journal_heads_record
from tests.transparency.ledgers import record_ledgers, yagi_campaign
from transparency.exports import csv_bytes

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_journal.py"
LEDGER_COLUMNS = ["number", "time", "kind", "channel", "amount", "goods", "public_name", "reverses"]

_spec = importlib.util.spec_from_file_location("verify_journal", TOOL)
verify_journal = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_journal)


def ledger_download(campaign) -> bytes:
    """The receipts ledger as `/campaigns/<slug>/ledger.csv` publishes it: the agreed columns, written
    the way the portal writes every CSV."""
    rows = [LEDGER_COLUMNS]
    for r in Receipt.objects.filter(campaign=campaign).select_related("reverses").order_by("sequence"):
        rows.append([
            r.number, timezone.localtime(r.received_at).isoformat(timespec="seconds"), r.kind, r.channel, r.amount,
            goods_text((i.category.slug, i.quantity, i.estimated_value) for i in r.items.select_related("category")),
            r.public_name, r.reverses.number if r.reverses_id else "",
        ])
    return csv_bytes(rows)


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write(path: Path, rows: list[list[str]]) -> None:
    """Save rows as a spreadsheet would: UTF-8 with BOM."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


@pytest.fixture
def downloads(client, admin_user, tmp_path, django_capture_on_commit_callbacks):
    """The journal, its heads and the ledger of a campaign with a bit of everything, as downloaded."""
    campaign = yagi_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        record_ledgers(campaign, by=admin_user)
    journal_heads_record(until=timezone.localdate())
    files = {
        "journal": client.get("/campaigns/bao-yagi-2024/journal.csv"),
        "heads": client.get("/campaigns/bao-yagi-2024/journal-heads.csv"),
    }
    paths = {}
    for name, response in files.items():
        assert response.status_code == 200
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    paths["ledger"] = tmp_path / "ledger.csv"
    paths["ledger"].write_bytes(ledger_download(campaign))
    paths["campaign"] = campaign
    return paths


def verify(capsys, downloads, *, ledger: bool = True) -> tuple[int, str]:
    args = [str(downloads["journal"]), str(downloads["heads"])]
    if ledger:
        args += ["--ledger", str(downloads["ledger"])]
    code = verify_journal.main(args)
    return code, capsys.readouterr().out.strip()


def head_hash(campaign) -> str:
    return JournalEntry.objects.filter(campaign=campaign).latest("sequence").hash


def test_a_real_download_verifies(capsys, downloads):
    code, out = verify(capsys, downloads)

    assert code == 0
    assert out == (f"OK: 11 journal entries chain to {head_hash(downloads['campaign'])}; 1 daily heads match; "
                   f"4 ledger rows match the journal")


def test_the_tool_runs_on_the_standard_library_alone(downloads):
    # -I -S: no site-packages, no environment: nothing but Python itself
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), str(downloads["journal"]), str(downloads["heads"]),
         "--ledger", str(downloads["ledger"])],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("OK: 11 journal entries chain to ")


def test_an_altered_amount_in_the_journal_is_caught(capsys, downloads):
    # given the first receipt's amount raised by one đồng in the downloaded journal
    rows = read(downloads["journal"])
    previous = "0" * 64
    rows[1][4] = rows[1][4].replace("|300000000|", "|300000001|")
    write(downloads["journal"], rows)

    code, out = verify(capsys, downloads)

    computed = hashlib.sha256((previous + rows[1][4]).encode()).hexdigest()
    assert code == 1
    assert out == (f"BROKEN: journal line 2 (YAGI24-000001): the hash does not follow from the previous hash and "
                   f"this line's text (computed {computed}, published {rows[1][5]})")


def test_a_rewritten_chain_is_caught_by_the_published_head(capsys, downloads):
    # given an altered amount and every hash after it recomputed, so the chain itself holds
    rows = read(downloads["journal"])
    rows[1][4] = rows[1][4].replace("|300000000|", "|3000000|")
    previous = "0" * 64
    for row in rows[1:]:
        previous = row[5] = hashlib.sha256((previous + row[4]).encode()).hexdigest()
    write(downloads["journal"], rows)

    code, out = verify(capsys, downloads, ledger=False)

    published = read(downloads["heads"])[1][2]
    assert code == 1
    assert out == (f"BROKEN: heads line 2 (head of {timezone.localdate().isoformat()}): the journal's hash after "
                   f"entry 11 is {previous}, the published head says {published}")


@pytest.mark.parametrize(("column", "altered", "message"), [
    pytest.param(4, "30000000", "amount is '30000000' in the ledger but '300000000' in the journal", id="amount"),
    pytest.param(6, "Nguyễn V. B.", "public name is 'Nguyễn V. B.' in the ledger but 'Nguyễn V. A.' in the journal",
                 id="public-name"),
])
def test_an_altered_ledger_row_is_caught(capsys, downloads, column, altered, message):
    rows = read(downloads["ledger"])
    assert rows[1][:1] + rows[1][4:5] + rows[1][6:7] == ["YAGI24-000001", "300000000", "Nguyễn V. A."]
    rows[1][column] = altered
    write(downloads["ledger"], rows)

    code, out = verify(capsys, downloads)

    assert code == 1
    assert out == f"BROKEN: ledger line 2 (YAGI24-000001): {message}"


def test_a_receipt_left_out_of_the_ledger_is_caught(capsys, downloads):
    rows = read(downloads["ledger"])
    write(downloads["ledger"], [row for row in rows if row[0] != "YAGI24-000003"])

    code, out = verify(capsys, downloads)

    assert code == 1
    assert out == "BROKEN: receipt YAGI24-000003 is in the journal but not in the ledger"


def test_a_removed_journal_line_is_caught(capsys, downloads):
    rows = read(downloads["journal"])
    assert rows[5][:3] == ["5", "allocation", "YAGI24-PB000001"]
    write(downloads["journal"], rows[:5] + rows[6:])

    code, out = verify(capsys, downloads)

    assert code == 1
    assert out == ("BROKEN: journal line 6 (YAGI24-PB000002): sequence 6 where 5 was expected "
                   "(an entry is missing or out of order)")


def test_a_changed_head_is_caught(capsys, downloads):
    rows = read(downloads["heads"])
    actual = rows[1][2]
    rows[1][2] = "f" * 64
    write(downloads["heads"], rows)

    code, out = verify(capsys, downloads)

    assert code == 1
    assert out == (f"BROKEN: heads line 2 (head of {timezone.localdate().isoformat()}): the journal's hash after "
                   f"entry 11 is {actual}, the published head says {'f' * 64}")


def test_a_head_counting_more_entries_than_the_journal_has_is_caught(capsys, downloads):
    rows = read(downloads["heads"])
    rows[1][1] = "12"
    write(downloads["heads"], rows)

    code, out = verify(capsys, downloads)

    assert code == 1
    assert out == (f"BROKEN: heads line 2 (head of {timezone.localdate().isoformat()}): it counts 12 entries "
                   f"but the journal has 11")


def test_a_name_neutralised_in_the_csv_still_matches_its_journal_line(client, capsys, admin_user, tmp_path, db):
    # given a donor whose public name a spreadsheet would read as a formula, and a name with a bar
    campaign = yagi_campaign()
    receipt_record(campaign=campaign, channel="cash_desk", amount=100_000, public_name="=Nhóm thiện nguyện",
                   recorded_by=admin_user)
    receipt_record(campaign=campaign, channel="cash_desk", amount=200_000, public_name="Lớp 12A|Trường Chu Văn An",
                   recorded_by=admin_user)
    paths = {"journal": tmp_path / "journal.csv", "heads": tmp_path / "heads.csv", "ledger": tmp_path / "ledger.csv"}
    paths["journal"].write_bytes(b"".join(client.get("/campaigns/bao-yagi-2024/journal.csv").streaming_content))
    paths["heads"].write_bytes(client.get("/campaigns/bao-yagi-2024/journal-heads.csv").content)
    paths["ledger"].write_bytes(ledger_download(campaign))
    assert read(paths["ledger"])[1][6] == "'=Nhóm thiện nguyện"

    code, out = verify(capsys, paths)

    assert (code, out) == (0, f"OK: 2 journal entries chain to {head_hash(campaign)}; 0 daily heads match; "
                              f"2 ledger rows match the journal")


def test_a_file_that_is_not_a_journal_cannot_be_read(capsys, downloads):
    write(downloads["journal"], [["sequence", "event"], ["1", "receipt"]])

    code, out = verify(capsys, downloads)

    assert code == 2
    assert out == f"CANNOT READ: {downloads['journal']}: no column entry_number, canonical, hash in the header line"


def test_canonical_fields_split_on_unescaped_bars_only():
    line = r"1|YAGI24|2|receipt|YAGI24-000002|2024-09-12T08:15:00Z|cash|bank|500000||A\|B \\ C\nD|||"

    fields = verify_journal.split_canonical(line)

    assert len(fields) == 14
    assert fields[10] == "A|B \\ C\nD"
