"""vmsenv: an OpenVMS logical-name and startup environment."""
