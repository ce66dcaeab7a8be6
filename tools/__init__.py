"""Developer tools that are not part of the lcmatch package (run with ``python -m tools.NAME``)."""
