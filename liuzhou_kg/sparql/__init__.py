"""Running SPARQL on the store: prefixes, guards, formats, time limits and result limits.

Queries always run on Oxigraph's engine, in a worker process that is killed when the time limit
is reached (pyoxigraph has no query timeout of its own), so a runaway query really stops.
"""
