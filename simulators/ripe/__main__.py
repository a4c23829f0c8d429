"""`python -m simulators.ripe`: the RIPE Database simulator in the foreground."""

from simulators.ripe.server import main

if __name__ == "__main__":
    main()
