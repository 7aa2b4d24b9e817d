#!/usr/bin/env python3
"""Re-check a campaign's published journal on your own computer: Python 3.10+, standard library only.

    python verify_journal.py JOURNAL.csv HEADS.csv [--ledger LEDGER.csv]

JOURNAL.csv is /campaigns/<slug>/journal.csv, HEADS.csv /campaigns/<slug>/journal-heads.csv and
LEDGER.csv (optional) /campaigns/<slug>/ledger.csv, all as downloaded from the portal. The script

1. recomputes the hash chain: hash(n) = SHA-256(hash(n-1) + canonical(n)), hash(0) = 64 zeros,
   over UTF-8 text, and checks every line's published hash, that sequences run 1, 2, 3, … without a
   gap and that each line's columns agree with its canonical text;
2. checks every published daily head (day, count, hash) against the recomputed chain;
3. with --ledger, checks that each row of the receipts ledger matches its journal line (number,
   kind, channel, amount, public name, reverses), and that no journalled receipt is missing from it.

It prints `OK: …` and exits 0, or prints the first broken entry and exits 1 (2 when a file cannot
be read as such a download).
"""

import argparse
import csv
import hashlib
import re
import sys
from dataclasses import dataclass

GENESIS = "0" * 64
CANONICAL_FIELDS = (
    "version", "campaign", "sequence", "event", "number", "time", "kind", "channel", "amount", "goods", "name",
    "province", "reverses", "date",
)
JOURNAL_COLUMNS = ("sequence", "event", "entry_number", "canonical", "hash")
HEAD_COLUMNS = ("day", "count", "hash")
LEDGER_COLUMNS = ("number", "kind", "channel", "amount", "public_name", "reverses")
RECEIPT_EVENTS = ("receipt", "receipt_reversal")
# The portal neutralises a CSV cell that a spreadsheet would run as a formula by a leading `'`,
# except a plain signed number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class Broken(Exception):
    """The first thing found wrong, worded for the reader."""


class Unreadable(Exception):
    """A file that is not the download it should be."""


@dataclass
class Result:
    entries: int
    head_hash: str
    heads: int
    ledger_rows: int | None


def split_canonical(text: str) -> list[str]:
    """The fields of a canonical line: split on `|` not escaped, then undo `\\\\`, `\\|`, `\\n`, `\\r`."""
    fields, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append({"n": "\n", "r": "\r"}.get(following, following))
        elif char == "|":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def csv_safe(text: str) -> str:
    """What the portal writes in a CSV cell for `text`."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_table(path: str, wanted: tuple[str, ...], aliases: dict[str, str] | None = None) -> list[tuple[int, dict]]:
    """(line number in the file, row) for each data row, keyed by the wanted column names."""
    aliases = aliases or {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise Unreadable(f"{path}: the file is empty")
            keys = [aliases.get(_column_key(name), _column_key(name)) for name in header]
            missing = [name for name in wanted if name not in keys]
            if missing:
                raise Unreadable(f"{path}: no column {', '.join(missing)} in the header line")
            positions = {name: keys.index(name) for name in wanted}
            rows = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                cells = {name: row[index] if index < len(row) else "" for name, index in positions.items()}
                rows.append((reader.line_num, cells))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise Unreadable(f"{path}: {exc}") from exc


def check_chain(journal: list[tuple[int, dict]]) -> tuple[dict[int, str], dict[str, list[str]]]:
    """Recompute the chain. Returns the hash after each sequence and the receipt lines by number."""
    previous, hashes, receipts, campaign = GENESIS, {}, {}, None
    for expected, (line, row) in enumerate(journal, start=1):
        where = f"journal line {line} ({row['entry_number']})"
        if row["sequence"] != str(expected):
            raise Broken(f"{where}: sequence {row['sequence']} where {expected} was expected"
                         f" (an entry is missing or out of order)")
        fields = split_canonical(row["canonical"])
        if len(fields) != len(CANONICAL_FIELDS):
            raise Broken(f"{where}: the canonical text has {len(fields)} fields, not {len(CANONICAL_FIELDS)}")
        values = dict(zip(CANONICAL_FIELDS, fields, strict=True))
        campaign = campaign or values["campaign"]
        for column, field in (("sequence", "sequence"), ("event", "event"), ("entry_number", "number")):
            if values[field] != row[column]:
                raise Broken(f"{where}: the {column} column says {row[column]} but the canonical text says"
                             f" {values[field]}")
        if values["campaign"] != campaign:
            raise Broken(f"{where}: campaign {values['campaign']} in a journal of {campaign}")
        digest = hashlib.sha256((previous + row["canonical"]).encode("utf-8")).hexdigest()
        if digest != row["hash"]:
            raise Broken(f"{where}: the hash does not follow from the previous hash and this line's text"
                         f" (computed {digest}, published {row['hash']})")
        previous = hashes[expected] = digest
        if values["event"] in RECEIPT_EVENTS:
            receipts[values["number"]] = values
    return hashes, receipts


def check_heads(heads: list[tuple[int, dict]], hashes: dict[int, str]) -> None:
    for line, head in heads:
        where = f"heads line {line} (head of {head['day']})"
        try:
            count = int(head["count"])
        except ValueError:
            raise Broken(f"{where}: the count {head['count']!r} is not a number") from None
        if count not in hashes:
            raise Broken(f"{where}: it counts {count} entries but the journal has {len(hashes)}")
        if hashes[count] != head["hash"]:
            raise Broken(f"{where}: the journal's hash after entry {count} is {hashes[count]},"
                         f" the published head says {head['hash']}")


def _amount(text: str) -> str:
    """`1.297.000`, `1,297,000 ₫` or `'-500000` → `1297000` / `-500000`; empty stays empty."""
    text = text.strip().lstrip("'")
    digits = re.sub(r"[^\d]", "", text)
    return ("-" if text.startswith("-") and digits else "") + digits


def check_ledger(ledger: list[tuple[int, dict]], receipts: dict[str, dict]) -> None:
    unseen = dict(receipts)
    for line, row in ledger:
        number = row["number"].strip()
        where = f"ledger line {line} ({number})"
        journalled = unseen.pop(number, None)
        if journalled is None:
            raise Broken(f"{where}: this receipt is not in the journal")
        checks = (
            ("kind", row["kind"].strip().lower(), journalled["kind"]),
            ("channel", row["channel"].strip().lower(), journalled["channel"]),
            ("amount", _amount(row["amount"]), journalled["amount"]),
            ("public name", row["public_name"], journalled["name"]),
            ("reverses", row["reverses"].strip(), journalled["reverses"]),
        )
        for name, in_ledger, in_journal in checks:
            if in_ledger not in (in_journal, csv_safe(in_journal)):
                raise Broken(f"{where}: {name} is {in_ledger!r} in the ledger but {in_journal!r} in the journal")
    if unseen:
        number = next(iter(unseen))
        raise Broken(f"receipt {number} is in the journal but not in the ledger")


def verify(journal_path: str, heads_path: str, ledger_path: str | None = None) -> Result:
    """Raise Broken (or Unreadable) at the first problem; otherwise say what was checked."""
    journal = read_table(journal_path, JOURNAL_COLUMNS)
    heads = read_table(heads_path, HEAD_COLUMNS)
    hashes, receipts = check_chain(journal)
    check_heads(heads, hashes)
    ledger_rows = None
    if ledger_path:
        ledger = read_table(ledger_path, LEDGER_COLUMNS, aliases={"name": "public_name"})
        check_ledger(ledger, receipts)
        ledger_rows = len(ledger)
    return Result(entries=len(hashes), head_hash=hashes.get(len(hashes), GENESIS), heads=len(heads),
                  ledger_rows=ledger_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-check a campaign's published journal, heads and ledger.")
    parser.add_argument("journal", help="the journal download (journal.csv)")
    parser.add_argument("heads", help="the daily heads download (journal-heads.csv)")
    parser.add_argument("--ledger", help="the receipts ledger download (ledger.csv), to check against the journal")
    args = parser.parse_args(argv)
    try:
        result = verify(args.journal, args.heads, args.ledger)
    except Unreadable as exc:
        print(f"CANNOT READ: {exc}")
        return 2
    except Broken as exc:
        print(f"BROKEN: {exc}")
        return 1
    checked = f"OK: {result.entries} journal entries chain to {result.head_hash}; {result.heads} daily heads match"
    if result.ledger_rows is not None:
        checked += f"; {result.ledger_rows} ledger rows match the journal"
    print(checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
