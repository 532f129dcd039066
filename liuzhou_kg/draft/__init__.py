"""Draft sourced records from a new document, for a person to review and confirm.

``sentences`` splits the text as the build does, ``figures``, ``periods`` and ``targets`` read
figures with their kind and period, ``entities`` resolves and proposes entities, ``drafter``
combines them, and ``writer`` writes records in the format of ``graph/facts/`` with exact quotes.
The rules and vocabularies are in ``rules.yaml``.
"""
