"""Services: what the CLI, the handlers and the jobs call. Each opens its own session and returns plain data."""
