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

    Examples
    --------
    >>> issubclass(NoRankingError, WindroseError), issubclass(NoRankingError, ValueError)
    (True, True)
    """
