"""What the resource routers share: the OpenAPI descriptions of their common errors."""

# OpenAPI descriptions of the errors most routes share.
AUTH = {401: {"description": "Not logged in"}}
ROLE = {403: {"description": "Role may not do this"}}
INVALID = {422: {"description": "Invalid field values"}}
