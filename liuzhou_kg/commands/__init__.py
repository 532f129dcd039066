"""Subcommands of the ``liuzhou-kg`` CLI, one module each."""
