"""What every endpoint under /api/ shares: how bodies are read, how lists are paged, the language an
answer speaks, and the one JSON shape of every error (documented once in the OpenAPI schema)."""
