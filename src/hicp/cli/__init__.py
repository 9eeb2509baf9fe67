"""The `hicp` command line: parse, call the core, print."""
