"""The core: paths, errors, the vocabulary, RDF input and output, atomic writes, numerals. Imports nothing of the package above it."""
