"""The `leaderless` subcommands: one module each, with `add_arguments` and `run`."""
