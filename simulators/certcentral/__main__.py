"""`python -m simulators.certcentral`: the CertCentral simulator in the foreground."""

from simulators.certcentral.server import main

if __name__ == "__main__":
    main()
