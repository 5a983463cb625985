"""The contacts input pipeline: CSV files, stdin and flags to checked, unique E.164 contacts.

No CLI here: the commands call `collect_contacts` (or `contacts_from_flags`),
show `ImportReport.summary_lines()`, then upload `ContactBatch.chunks()`.
"""

from audience_cli.contacts.batch import ContactBatch
from audience_cli.contacts.model import Contact, CsvOptions, Reject
from audience_cli.contacts.pipeline import collect_contacts, contacts_from_flags
from audience_cli.contacts.report import ImportReport
from audience_cli.contacts.writers import write_clean_csv, write_rejects

__all__ = [
    "Contact",
    "ContactBatch",
    "CsvOptions",
    "ImportReport",
    "Reject",
    "collect_contacts",
    "contacts_from_flags",
    "write_clean_csv",
    "write_rejects",
]
