"""The `kundennetz` console script: Django's management commands with our settings preselected."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["qualify"]:
        # Checklists are evaluated without a database; a script calling this per file should not wait
        # for Django to start (see qualification.quick for when this path is taken).
        from kundennetz.qualification.quick import try_run

        status = try_run(args[1:])
        if status is not None:
            sys.stdout.flush()
            if status:
                sys.exit(status)
            return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundennetz.settings.local")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["kundennetz", *args])
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`kundennetz plan export | head`): stop quietly, as `cat` would. Python would
        # otherwise report the pipe again while flushing standard output at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
