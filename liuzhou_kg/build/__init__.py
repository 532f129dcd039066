"""The build pipeline: one module per step, from the source text and the records to the validated dataset and its files."""
