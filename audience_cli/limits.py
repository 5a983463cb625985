"""The API's limits and this tool's defaults, as plain constants (cheap to import)."""

DEFAULT_CHUNK_SIZE = 1000  # members per request; the API documents no maximum
DEFAULT_MEMBER_LIMIT = 10_000  # members per audience (Atoms product guide)
MAX_CSV_BYTES = 5 * 1024 * 1024  # the create upload's CSV limit
