"""The newsletter: the real Mailman 3 core, run as a subprocess with only its REST runner.

`server` finds the `mailman` command, starts and stops it, and sets up lists and members.
"""

from simulators.newsletter.server import MailmanServer, find_mailman_bin

__all__ = ["MailmanServer", "find_mailman_bin"]
