"""`python -m simulators.epp`: the EPP registry simulator in the foreground."""

from simulators.epp.server import main

if __name__ == "__main__":
    main()
