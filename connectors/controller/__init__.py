"""Another controller (`controller`): where a portability archive is pushed (Art. 20(2)).

Not a `Connector`: dsr holds no data there, it only sends the archive. `client` is the push
protocol; the activity in activities/push.py wraps it.
"""

from connectors.controller.client import ControllerClient, PushFailed, Receipt

__all__ = ["ControllerClient", "PushFailed", "Receipt"]
