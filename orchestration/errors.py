"""The base of every error a user can act on.

A ``SoftspamError``'s message is the one line the command line prints (exit 2, docs/formats.md
section 4): it names what is wrong and, where there is one, the fix. Anything else escaping a
command is a bug and keeps its traceback.
"""

from __future__ import annotations


class SoftspamError(Exception):
    """A setting, file or warehouse state the user must fix (or wait for); the message says which."""


def user_error_types() -> list[type[BaseException]]:
    """SoftspamError and every subclass defined so far (those of imported modules)."""
    found: list[type[BaseException]] = []
    pending: list[type[BaseException]] = [SoftspamError]
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return found
