"""Domain services: they take a session and ids, and own the rules."""
