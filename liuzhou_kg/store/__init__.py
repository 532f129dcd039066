"""The store and what writes into it: the generations of the Oxigraph store, imports, push and export."""
