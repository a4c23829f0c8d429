"""An Openprovider-style registrar: customer handles, domains, jobs and signed webhooks.

`server` runs it, `views` is the vendor API and the `/_sim` controls, `data` the state and its
refusals, `seed` the state made from the administration database.
"""

from simulators.registrar.server import RegistrarSimulator
from simulators.registrar.views import RegistrarOptions

__all__ = ["RegistrarOptions", "RegistrarSimulator"]
