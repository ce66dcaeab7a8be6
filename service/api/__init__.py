"""The HTTP API (FastAPI): dependencies, routes, paging, limits and the answers to domain errors."""
