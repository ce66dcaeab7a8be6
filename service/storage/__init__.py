"""Where data lives: the database and its migrations, the vector store, the caches."""
