"""Lines in and out of the shell."""

import contextlib
from typing import TextIO


class Terminal:
    """Piped input is echoed after its prompt, so the output reads as a session; at a
    terminal, `input()` (with readline when there is one) does the prompting."""

    def __init__(self, stdin: TextIO, stdout: TextIO, interactive: bool):
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive
        if interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())

    def ask(self, prompt: str) -> str | None:
        """The next line, or None at end of input. Ctrl-C answers ":cancel"."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                self.say()
                return None
            except KeyboardInterrupt:
                self.say()
                return ":cancel"
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        self.say(prompt + line)
        return line

    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()
