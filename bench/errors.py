"""The one error the bench reports to its user: a line, never a traceback."""


class BenchError(Exception):
    """A precondition or a step of the bench failed; ``str()`` says which."""
