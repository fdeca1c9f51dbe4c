"""Logical names: tables, directories, modes, attributes, translation, the shared store."""
