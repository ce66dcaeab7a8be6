"""What users can do: plain functions on a session and an actor, raising domain errors."""
