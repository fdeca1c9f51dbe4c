"""VMS MAIL: the per-user mail file (MAIL.MAI), SMTP-style delivery and mbox import.

- `vmsenv.mail.store`   the mail file: folders, messages, atomic changes, purge and reclaim
- `vmsenv.mail.deliver` delivery as the TCP/IP Services SMTP server (or DECnet MAIL-11) would
- `vmsenv.mail.mbox`    importing an mbox file through delivery, idempotently
"""
