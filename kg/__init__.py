"""kg: LibreCat repository records → a linked-data knowledge graph."""

__version__ = "0.1.0"
