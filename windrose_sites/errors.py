"""The project's own errors: one base class, so pages and the CLI catch ours and nothing else.

:class:`WindroseError` subclasses ``ValueError``: every error the core raised so far was a
``ValueError`` (bad input, described in the message), and code that still catches
``ValueError`` keeps working while callers move to ``except WindroseError``.
"""

from __future__ import annotations

__all__ = ["NoRankingError", "WindroseError"]


class WindroseError(ValueError):
    """Base class of every error the project raises on purpose; the message says what to do."""


class NoRankingError(WindroseError):
    """The state gives no ranking: every site is filtered out, or no weight is positive.

    ``removed`` holds why each site was filtered out (a ``pandas.Series`` site id -> reason,
    empty when the filters kept every site), so a caller can say which and why.

    Examples
    --------
    >>> issubclass(NoRankingError, WindroseError), issubclass(NoRankingError, ValueError)
    (True, True)
    """

    def __init__(self, message: str, removed: object = None) -> None:
        super().__init__(message)
        self.removed = removed
