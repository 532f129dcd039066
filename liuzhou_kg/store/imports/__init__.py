"""Importing other datasets into the store, each as its own named graph, with DCAT/VoID metadata.

- :mod:`.rdf_file` — :func:`~.rdf_file.import_rdf`: an RDF file (any syntax pyoxigraph reads),
  streamed with a progress bar, every quad moved into the import's own graph.
- :mod:`.csv_cube` — regional statistics in CSV, through a declarative mapping, into Data Cube.
- :mod:`.write` — the one all-or-nothing write every import goes through
  (:func:`~.write.write_graph`), :func:`~.write.remove` and the build's
  :func:`~.write.carry_over_imports`.
- :mod:`.catalogue` — graph names an import may take, and the catalogue of imported graphs
  (:func:`~.catalogue.imported`).
- :mod:`.limits` — the caps every input is checked against before it is parsed.
- :mod:`.literals` — which literals the store keeps in another form than given (the table
  ``literal-normalisation.yaml``), counted while an import reads its input, and the build's note.
- :mod:`.rdf_input` — the RDF syntax of a file, and parse errors with their positions.
- :mod:`.progress` — progress bars on stderr.
"""
