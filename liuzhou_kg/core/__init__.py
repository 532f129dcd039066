"""The core: the layout (where inputs and outputs are), errors, the vocabulary, RDF input and output, atomic writes, numerals. Imports nothing of the package above it."""
