"""Presentation mode (``make present NB=01``): Voila on one notebook, code hidden, widgets live.

    python -m il_helpers.present notebooks/01_distribution_shift.ipynb [any voila option]

is ``voila notebooks/01_distribution_shift.ipynb [...]`` (the Makefile adds ``--Voila.ip=127.0.0.1
--no-browser --token``) with one fix applied first, :func:`poll_shell_in_steps`.

The fix. Voila executes the notebook with nbclient, whose stand-in for an ``Output`` widget sends
the captured outputs back to the kernel on the shell socket while the executor waits, on that same
(asyncio) socket, for the cell's ``execute_reply``, with no timeout. Now and then the reply arrives
without waking that wait, and the page hangs on "Executing N of M" for ever (voila-dashboards/voila
issue 1428, open in Voila 0.5.13 with jupyter_client 8.10 and pyzmq 27). Every course widget draws
its first plot into an ``Output`` while its cell runs, so this hit the tour's widget cell in 2 runs
of 4 (then 0 of 8 with the fix). The fix makes a wait without timeout poll in 1-second steps: each
new poll looks at the socket afresh and finds a reply that is already there.
"""

from __future__ import annotations

import sys
from queue import Empty

STEP_S = 1.0


def poll_shell_in_steps() -> bool:
    """Make ``AsyncZMQSocketChannel.get_msg(timeout=None)`` poll in steps of :data:`STEP_S` seconds
    instead of once for ever (a finite timeout behaves as before). Returns False, and changes
    nothing, if jupyter_client no longer has that method; applying it twice is harmless."""
    try:
        from jupyter_client.channels import AsyncZMQSocketChannel
    except ImportError:
        return False
    original = getattr(AsyncZMQSocketChannel, "get_msg", None)
    if original is None:
        return False
    if getattr(original, "_il_polls_in_steps", False):
        return True

    async def get_msg(self, timeout: float | None = None):
        if timeout is not None:
            return await original(self, timeout)
        while True:
            try:
                return await original(self, STEP_S)
            except Empty:
                continue

    get_msg._il_polls_in_steps = True
    get_msg.__doc__ = original.__doc__
    AsyncZMQSocketChannel.get_msg = get_msg
    return True


def main(argv: list[str] | None = None) -> int:
    if not poll_shell_in_steps():
        print("il_helpers.present: jupyter_client changed; running Voila without the fix", file=sys.stderr)
    from voila.app import main as voila_main

    return voila_main(argv=sys.argv[1:] if argv is None else argv) or 0


if __name__ == "__main__":
    sys.exit(main())
