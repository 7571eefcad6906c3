"""How a failed ``arc-ttt`` command reads on stderr: click's format, where a usage error prints
the command's usage line and ``Try 'arc-ttt CMD --help' for help.``, then one ``Error: ...``
line, and a failure prints the ``Error: ...`` line alone."""

from __future__ import annotations


def error_line(stderr: str) -> str:
    """The message of the one ``Error:`` line that ends ``stderr``, checked to be the only one."""
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], stderr
    return errors[0].removeprefix("Error: ")


def usage_error_line(stderr: str) -> str:
    """``error_line`` of a usage error, which comes after the usage and the help hint (and after
    any warning the command printed before it found the problem)."""
    assert "Usage: arc-ttt" in stderr and "--help' for help." in stderr, stderr
    return error_line(stderr)


def failure_line(stderr: str) -> str:
    """``error_line`` of a failure (exit 1): the ``Error:`` line and nothing else."""
    assert stderr.count("\n") == 1, stderr
    return error_line(stderr)
