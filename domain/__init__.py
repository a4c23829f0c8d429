"""Pure types and rules of a subject request: no I/O, safe inside the workflow sandbox."""
