"""`python -m simulators.registrar`: the registrar simulator in the foreground."""

from simulators.registrar.server import main

if __name__ == "__main__":
    main()
