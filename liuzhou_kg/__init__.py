"""liuzhou-kg: a sourced knowledge graph of Liuzhou's 2015 innovation policy."""

__version__ = "0.1.0"
