"""Generic model-checking machinery (explorer, traces, renderers) and the `leaderless` CLI."""
