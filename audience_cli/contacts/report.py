"""What an import read, kept, rejected and dropped, for people and for JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from audience_cli.contacts.model import Reject
from audience_cli.reasons import PLAIN_WORDS, ReportWords

MAX_REJECT_LINES = 10
MAX_MAPPING_ITEMS = 8
MAX_COUNTED_ITEMS = 6  # countries or number types named on the summary line


@dataclass(frozen=True)
class Setting:
    """A setting a note names, as the options call it ("region"): the program's words
    say how it is called (`ReportWords.setting`; the CLI: its flag)."""

    name: str


@dataclass(frozen=True)
class Note:
    """One line of what the counts do not say: text, with the settings it names kept
    apart (`Setting`), so that the program showing it names them its own way."""

    parts: tuple[str | Setting, ...]

    def text(self, words: ReportWords = PLAIN_WORDS) -> str:
        return "".join(
            part if isinstance(part, str) else words.setting(part.name) for part in self.parts
        )

    def __str__(self) -> str:
        return self.text()


def note(*parts: str | Setting) -> Note:
    """A `Note` of these parts: `note("the others in ", Setting("region"), " US")`."""
    return Note(parts)


@dataclass
class ImportReport:
    """Counts of an import: rows == valid + invalid + duplicates."""

    source: str
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    rejects: Sequence[Reject] = field(default_factory=list)  # a RejectLog when from a file
    column_mapping: dict[str, str] = field(default_factory=dict)
    added: int | None = None
    skipped: int | None = None
    stale: int | None = None  # already there with other data (add without --update)
    updated: int | None = None  # replaced with the source's row (add --update)
    header: list[str] = field(default_factory=list)  # the source's columns, for the rejects file
    # What the counts do not say: a suspicious encoding, phone numbers taken from
    # several columns, cells kept under generated keys... One line each.
    notes: list[Note] = field(default_factory=list)
    # Valid contacts per region of their number ("US", "GB"; "001": non-geographic)
    # and per number type ("MOBILE", "FIXED_LINE_OR_MOBILE"…), most frequent first.
    countries: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    # The sheet read, when the source is a workbook: its rows are named `Sheet1!7`.
    sheet: str | None = None
    # What chose the rows before they were read, for JSON under its own key: e.g.
    # {"campaign": {...}} when they are a campaign's members to call again.
    origin: dict[str, Any] = field(default_factory=dict)

    def place(self, line: int) -> int | str:
        """Where a row is: its line in a text file, `Sheet1!7` in a workbook (0, a --phone
        flag, stays 0)."""
        return f"{self.sheet}!{line}" if self.sheet is not None and line else line

    def where(self, line: int) -> str:
        """A row's place in a sentence: "line 6", "Sheet1!7"."""
        place = self.place(line)
        return place if isinstance(place, str) else f"line {place}"

    def by_reason(self) -> dict[str, int]:
        """Rejects per reason code, most frequent first."""
        return dict(Counter(r.reason for r in self.rejects).most_common())

    def note_texts(self, words: ReportWords = PLAIN_WORDS) -> list[str]:
        """The notes as lines of text (`words`: how the program names settings)."""
        return [n.text(words) for n in self.notes]

    def to_dict(self, words: ReportWords = PLAIN_WORDS) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "duplicates": self.duplicates,
            "rejects": [_reject_dict(r, self.place(r.line), words) for r in self.rejects],
        }
        if self.added is not None:
            data["added"] = self.added
        if self.skipped is not None:
            data["skipped"] = self.skipped
        if self.stale is not None:
            data["stale"] = self.stale
        if self.updated is not None:
            data["updated"] = self.updated
        data["columns"] = dict(self.column_mapping)
        data["countries"] = _most_common(self.countries)
        data["types"] = _most_common(self.types)
        if self.notes:
            data["notes"] = self.note_texts(words)
        data.update(self.origin)
        return data

    def summary_lines(self, words: ReportWords = PLAIN_WORDS) -> list[str]:
        """Plain-text summary for stderr: the counts, notes, renamed columns, the first
        rejects (`words`: what the program adds to reasons' texts)."""
        parts = [f"{_count(self.rows, 'row')} read", f"{self.valid:,} valid"]
        if self.invalid:
            reasons = ", ".join(f"{reason} {n}" for reason, n in self.by_reason().items())
            parts.append(f"{self.invalid:,} rejected ({reasons})")
        if self.duplicates:
            parts.append(f"{_count(self.duplicates, 'duplicate')} dropped")
        if self.added is not None:
            parts.append(f"{self.added:,} added")
        if self.skipped is not None:
            parts.append(f"{self.skipped:,} skipped (already in the audience)")
        lines = [f"{self.source}: " + " · ".join(parts)]
        if self.countries or self.types:
            lines.append(f"  countries: {_counted(self.countries)} · types: {_counted(self.types)}")
        lines.extend(f"  {text}" for text in self.note_texts(words))

        renamed = [(old, new) for old, new in self.column_mapping.items() if old != new]
        if renamed:
            shown = ", ".join(f"{old} → {new}" for old, new in renamed[:MAX_MAPPING_ITEMS])
            if len(renamed) > MAX_MAPPING_ITEMS:
                shown += f", … and {len(renamed) - MAX_MAPPING_ITEMS} more"
            lines.append(f"  columns: {shown}")

        for reject in self.rejects[:MAX_REJECT_LINES]:
            text = reject_text(reject.reason, reject.detail, words)
            lines.append(f"  {self.where(reject.line)}: {reject.value!r} {text}")
        if len(self.rejects) > MAX_REJECT_LINES:
            more = f"  … and {len(self.rejects) - MAX_REJECT_LINES} more"
            lines.append(f"{more}, {words.more}" if words.more else more)
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def reject_text(reason: str, detail: str = "", words: ReportWords = PLAIN_WORDS) -> str:
    """The reason code and why, for a report line: the reject's own detail, else the
    reason's text ("TOO_SHORT: too short")."""
    if detail:
        return f"{reason}: {words.detail_text(detail)}"
    text = words.reason_text(reason)
    return f"{reason}: {text}" if text else reason


def _reject_dict(reject: Reject, place: int | str, words: ReportWords) -> dict[str, Any]:
    data: dict[str, Any] = {"line": place, "value": reject.value, "reason": reject.reason}
    if reject.detail:
        data["detail"] = words.detail_text(reject.detail)
    return data


def _most_common(counts: dict[str, int]) -> dict[str, int]:
    return dict(Counter(counts).most_common())


def _counted(counts: dict[str, int]) -> str:
    """Counts most frequent first ("US 812, GB 40, … and 3 more"), or "none"."""
    items = Counter(counts).most_common()
    shown = ", ".join(f"{key} {n}" for key, n in items[:MAX_COUNTED_ITEMS])
    if len(items) > MAX_COUNTED_ITEMS:
        shown += f", … and {len(items) - MAX_COUNTED_ITEMS} more"
    return shown or "none"
