"""Command handlers: each takes the parsed arguments, stdin and stdout, and returns an exit code."""
