"""The ``coley`` command line: thin wrappers over the Python verbs.

Exit codes: 0 ok, 2 bad input (one line on stderr; ``-v`` shows the traceback), 1 failure.
"""

from __future__ import annotations

import sys
import traceback

import typer

from coley.cli import (
    export_cmd,
    fit_cmd,
    info_cmd,
    modalities_cmd,
    models_cmd,
    run_cmd,
    simulate_cmd,
    trial_cmd,
    validate_cmd,
)
from coley.errors import CoLeyError

app = typer.Typer(
    name="coley", no_args_is_help=True, add_completion=False,
    help="Simulate the cancer-immune system and immunotherapy.",
    pretty_exceptions_enable=False,
)
app.command("models")(models_cmd.models)
app.command("info")(info_cmd.info)
app.command("simulate")(simulate_cmd.simulate)
app.command("validate")(validate_cmd.validate)
app.command("modalities")(modalities_cmd.modalities)
app.command("export")(export_cmd.export)
app.command("run")(run_cmd.run)
app.command("trial")(trial_cmd.trial)
app.command("fit")(fit_cmd.fit)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, mapping coley's errors to exit code 2 and others to 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    args = [a for a in args if a not in ("-v", "--verbose")]
    try:
        code = app(args=args, prog_name="coley", standalone_mode=False)
        if isinstance(code, int) and code:
            return code
    except CoLeyError as exc:
        if verbose:
            traceback.print_exc()
        typer.echo(f"error: {exc}", err=True)
        return 2
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        return int(code or 0)
    except typer.Abort:
        return 1
    except Exception as exc:  # usage errors (typer/click) and real failures
        show = getattr(exc, "show", None)
        exit_code = getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):  # a usage error: typer prints it
            show()
            return exit_code
        if verbose:
            traceback.print_exc()
        typer.echo(f"error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
                   err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
