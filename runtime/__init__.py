"""Process wiring shared by the worker, the API and the CLI: settings, logging, codec, client."""
