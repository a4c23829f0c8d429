"""The other controller that receives portability pushes (Art. 20(2)): its import endpoint.

`server` runs it, `views` is the endpoint and the `/_sim` controls, `data` what it received.
"""

from simulators.controller.server import ControllerSimulator
from simulators.controller.views import IMPORT_PATH

__all__ = ["IMPORT_PATH", "ControllerSimulator"]
