"""HTTP layer: Starlette app, auth, routes, CLI, engine supervision."""
