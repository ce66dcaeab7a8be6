"""What lcmatch is about: its tables, review states, the actor and domain errors (no I/O)."""
