"""The `audience` program's entry point, and `python -m audience_cli`.

`audience --version` answers here, before Typer, Click or Rich are imported: a
script that checks the version pays for the interpreter and nothing more. Every
other call goes to the Typer app in `cli/app.py`.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from audience_cli import __version__

        sys.stdout.write(f"audience {__version__}\n")
        return
    from audience_cli.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
