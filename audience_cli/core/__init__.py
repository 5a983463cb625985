"""The plain core: what the commands do, as functions of typed values.

No console, prompt, typer or rich: each function takes an `AtomsClient` (and
callbacks where it reports progress) and returns a record or raises one of the
errors in `errors.py`. The commands print; the core decides.
"""
