"""The TCP/IP Services POP server image (built in a later step)."""
