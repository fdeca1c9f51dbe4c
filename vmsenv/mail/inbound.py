"""Mail from outside the root: what `vmsenv deliver` and `vmsenv import-mbox` do.

Both check every recipient first -- a user SYSUAF knows (``%MAIL-E-NOSUCHUSR``), without
DISMAIL (``%MAIL-E-USERDSABL``, as the SMTP server refuses such a local user), whose mail
directory exists (``%MAIL-E-OPENOUT``) -- and the input, and store nothing when any check fails.
Mail directories are those of vmsenv.mail.profile (login directory or SET MAIL_DIRECTORY).

``deliver`` stores one message per recipient through vmsenv.mail.deliver (the SMTP settings of
the root) and posts a ``New mail on node ... from ...`` notice to each recipient's sessions; it
returns one line per recipient: ``%VMSENV-I-DELIVERED, message delivered to JONES (UID
TAG.ID)``, or ``%VMSENV-I-DUPLICATE, ...`` when the message's key was stored before.

``import_mbox`` imports an mbox file through vmsenv.mail.mbox (idempotent; a progress bar on a
terminal); it posts no notices.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from vmsenv import condition as cond
from vmsenv.mail import deliver as md
from vmsenv.mail import mbox as mmbox
from vmsenv.mail import notify, profile
from vmsenv.mail import store as ms


def _mapping(root):
    return lambda user: profile.recipient_directory(root, user)


def check_recipients(root, users: str) -> list[str]:
    """The user names of a comma list, each one able to receive mail (else VMSError)."""
    names = md.split_recipients(users)
    for name in names:
        profile.recipient_directory(root, name)
    return names


def deliver(root, users: str, data: bytes, *, sender: str | None = None,
            vms_from: str | None = None, subject: str | None = None,
            folder: str = ms.NEWMAIL) -> list[str]:
    """Deliver data to each user (see the module docstring); the report lines."""
    names = check_recipients(root, users)
    options = {}
    if sender is not None:
        options["sender"] = sender
    if vms_from is not None:
        options["vms_from"] = vms_from
    if subject is not None:
        options["subject"] = subject
    lines = []
    stored: dict[str, list[str]] = {}
    with md.Deliverer(_mapping(root), root=root) as d:
        for done in d.deliver(data, names, folder=folder, **options):
            if done.id is None:
                lines.append(f"%VMSENV-I-DUPLICATE, message already delivered to {done.user}")
                continue
            info = d.mail_file(done.user).info(done.id)
            stored.setdefault(info.vms_from, []).append(done.user)
            lines.append(f"%VMSENV-I-DELIVERED, message delivered to {done.user} "
                         f"(UID {info.uid})")
    if folder == ms.NEWMAIL:
        for text, who in stored.items():
            notify.post(root, who, text)
    return lines


def import_mbox(root, user: str, path: str | os.PathLike, *, folder: str = ms.NEWMAIL,
                progress: TextIO | None = None) -> mmbox.ImportResult:
    """Import an mbox file into a user's folder (folder as typed: parse_folder_name)."""
    name = md.check_username(user)
    profile.recipient_directory(root, name)
    target = ms.parse_folder_name(folder)
    source = Path(path)
    try:
        with open(source, "rb"):
            pass
    except OSError as exc:
        raise cond.VMSError(cond.MAIL_OPENIN, str(source), secondary=[
            cond.VMSError(cond.VMSENV_HOSTERR, exc.strerror or str(exc))]) from None
    with md.Deliverer(_mapping(root), root=root) as d:
        return mmbox.import_mbox(source, name, d, folder=target, progress=progress)


__all__ = ["deliver", "import_mbox", "check_recipients"]
