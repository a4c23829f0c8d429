"""`python -m simulators.arin`: the ARIN Reg-RWS simulator in the foreground."""

from simulators.arin.server import main

if __name__ == "__main__":
    main()
