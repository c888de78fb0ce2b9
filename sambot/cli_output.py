"""Where a command's output goes: the file it was asked to write, or standard output."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def output_to(path: str | None) -> Iterator[TextIO]:
    """The file at `path` (created or replaced, UTF-8), or standard output when there is no
    path. Standard output is left open: it is not ours to close."""
    if not path:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8") as out:
        yield out
