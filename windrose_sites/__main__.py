"""``python -m windrose_sites``: see :mod:`windrose_sites.cli`."""

from __future__ import annotations

import os
import sys

from windrose_sites.cli import main

if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head` closed the pipe: stop quietly, as cat does
        # Python would report the failed flush of stdout at exit; point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
