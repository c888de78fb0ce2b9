"""Reading a portfolio CSV: the header names the columns, in any order.

Header names are read loosely ("Annual revenue", "annual_revenue" and "annual-revenue" are
one column; a few short names such as "revenue" and "margin" are accepted too). Columns
sambot does not know are reported, not fatal. Row numbers are the spreadsheet's: the
header is row 1, the first account row 2.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from sambot.validation import DomainError

# Field name -> how the column is called in messages.
COLUMNS = {
    "name": "name",
    "annual_revenue": "annual revenue",
    "gross_margin": "gross margin",
    "potential_revenue": "potential revenue",
    "currency": "currency",
    "industry": "industry",
    "tier": "tier",
    "owner": "owner",
    "channel": "channel",
}
ALIASES = {
    "account": "name",
    "account_name": "name",
    "revenue": "annual_revenue",
    "margin": "gross_margin",
    "potential": "potential_revenue",
    "owner_id": "owner",
    "owner_email": "owner",
    "channel_id": "channel",
}
MAX_BYTES = 20 * 1024 * 1024  # 20 MB: far above 10,000 rows (about 1 MB)


class SheetError(DomainError):
    """The file as a whole cannot be read (not a CSV, no name column...)."""


@dataclass
class Sheet:
    # The header as written, for each known field present: "Annual Revenue" for annual_revenue.
    headers: dict[str, str]
    unknown_columns: list[str]
    # (row number, {field: cell text}) for each non-blank row; blank cells are left out.
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _field_of(header: str) -> str | None:
    key = re.sub(r"[\s\-_./]+", "_", header.strip().lower()).strip("_")
    key = ALIASES.get(key, key)
    return key if key in COLUMNS else None


def _decode(data: bytes) -> str:
    # Spreadsheets save UTF-8 with a byte-order mark, or Windows-1252 in older Excels.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_sheet(data: bytes | str) -> Sheet:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise SheetError(f"The file is over {MAX_BYTES // 1024 // 1024} MB.")
        if b"\x00" in data[:4096]:
            raise SheetError("That is not a CSV file (it looks binary). Save it as CSV first.")
        data = _decode(data)
    first_line = data.split("\n", 1)[0]
    # European spreadsheets separate with ";" (their decimal point is the comma).
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise SheetError("The file is empty: it needs a header row naming the columns.")
    headers: dict[str, str] = {}
    positions: dict[int, str] = {}
    unknown = []
    for position, cell in enumerate(header):
        name = _field_of(cell)
        if name is None:
            if cell.strip():
                unknown.append(cell.strip())
        elif name in headers:
            raise SheetError(f"Two columns are {COLUMNS[name]}: {headers[name]!r} and {cell!r}.")
        else:
            headers[name], positions[position] = cell.strip(), name
    if "name" not in headers:
        known = ", ".join(COLUMNS.values())
        raise SheetError(f"The header row has no name column. The columns sambot reads: {known}.")
    sheet = Sheet(headers, unknown)
    for number, cells in enumerate(reader, start=2):
        values = {
            positions[i]: cell.strip()
            for i, cell in enumerate(cells)
            if i in positions and cell.strip()
        }
        if values:
            sheet.rows.append((number, values))
    return sheet
