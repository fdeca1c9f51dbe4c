"""The DCL command language interpreter."""
