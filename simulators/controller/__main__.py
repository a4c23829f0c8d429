"""`python -m simulators.controller`: the receiving controller in the foreground."""

from simulators.controller.server import main

if __name__ == "__main__":
    main()
