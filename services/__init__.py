"""The application layer: what agents, the API, the CLI and the worker ask of requests."""
