"""DCL verbs, one module per family."""
