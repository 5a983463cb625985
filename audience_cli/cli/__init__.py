"""The CLI side: the Typer app, its commands, and everything that speaks to a terminal.

Everything outside this folder (client, core, contacts, sandbox, state, config…) is the
plain side: it imports nothing from here, nor Typer, Click or rich
(tests/test_architecture.py checks both), so it can be used as a library.
"""
