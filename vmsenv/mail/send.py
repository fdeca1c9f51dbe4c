"""Sending VMS mail between the users of a root (MAIL's SEND, REPLY, FORWARD, the DCL one-liner).

Addresses, as typed at ``To:`` (a comma list; quotes protect commas):

- ``USER`` or ``NODE::USER`` with NODE this root's node name (case-blind): a local user.
- ``NODE::USER`` with another node: there is no DECnet, so ``%MAIL-E-LOGLINK, error creating
  network link to node NODE`` with ``-SYSTEM-F-NOSUCHNODE, remote node is unknown``.
- ``TRANSPORT%address`` (``SMTP%"joe@example.com"``): no foreign mail transport is installed,
  so ``%MAIL-E-ERRACTRNS, error activating transport SMTP``.

A local user must be in SYSUAF (``%MAIL-E-NOSUCHUSR, no such user X``), must not have DISMAIL
(``%MAIL-E-USERDSABL``) and must have a reachable mail directory (``%MAIL-E-OPENOUT``).

The message stored is a pure VMS message: From: ``NODE::SENDER``, To: the addresses as given
(upper-cased outside quotes, joined with ``,``), CC:, Subj:, and the body bytes as given (no RFC
822 headers).  Each recipient's mail file takes its copy in its own transaction (delivery in
vmsenv.mail.deliver); every recipient is checked before anything is stored.  A notice goes to
each recipient's interactive sessions (vmsenv.mail.notify).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vmsenv import condition as cond
from vmsenv.mail import deliver as md
from vmsenv.mail import messages as mm
from vmsenv.mail import notify, profile
from vmsenv.mail import store as ms


@dataclass(frozen=True)
class Recipient:
    text: str           # as shown on the To: line (upper-cased outside quotes)
    user: str | None    # the local user, None when the address failed
    error: cond.VMSError | None = None


def split_addresses(text: str) -> list[str]:
    """A To: line's addresses: split at commas outside quotes, blanks trimmed, empty dropped."""
    items, quoted, start = [], False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _upper_outside_quotes(text: str) -> str:
    out, quoted = [], False
    for c in text:
        if c == '"':
            quoted = not quoted
            out.append(c)
        else:
            out.append(c if quoted else c.upper())
    return "".join(out)


def local_user(address: str, node: str) -> str:
    """The local user name an address names, or the VMSError that refuses it."""
    text = _upper_outside_quotes(address.strip())
    quote = text.find('"')
    head = text if quote < 0 else text[:quote]
    if "%" in head:
        raise cond.VMSError(mm.MAIL_ERRACTRNS, head.split("%", 1)[0].strip())
    if "::" in head:
        where, _, user = text.rpartition("::")
        target = where.split("::", 1)[0].strip()
        if target != node.upper() or "::" in where:
            raise cond.VMSError(mm.MAIL_LOGLINK, target,
                                secondary=[cond.VMSError(cond.SS_NOSUCHNODE)])
        text = user
    return md.check_username(text)


def resolve(root, addresses: Iterable[str]) -> list[Recipient]:
    """Each address checked: its local user, or the error that refuses it (order kept,
    duplicates of a user dropped)."""
    node = root.node
    found: list[Recipient] = []
    users: set[str] = set()
    for address in addresses:
        shown = _upper_outside_quotes(address.strip())
        try:
            user = local_user(address, node)
            profile.recipient_directory(root, user)
        except cond.VMSError as err:
            found.append(Recipient(shown, None, err))
            continue
        if user in users:
            continue
        users.add(user)
        found.append(Recipient(shown, user))
    return found


def sender_text(root, username: str) -> str:
    """The From: of mail a local user sends: ``NODE::USER``."""
    return f"{root.node}::{username.strip().upper()}"


def deliver_local(root, sender: str, recipients: list[Recipient], subject: str, body: bytes,
                  *, cc: str = "", to: str | None = None,
                  foreign: bool = False) -> list[md.Delivery]:
    """Store one message for every recipient that resolved (see the module docstring) and
    post the notices; the deliveries. foreign: the body is a foreign-format file
    (MAIL/FOREIGN), stored as it is and marked so."""
    users = [r.user for r in recipients if r.user is not None]
    if not users:
        raise cond.VMSError(cond.VMSENV_NORCPT)
    if to is None:
        to = ",".join(r.text for r in recipients if r.user is not None)
    vms_from = sender_text(root, sender)
    with md.Deliverer(lambda user: profile.recipient_directory(root, user), root=root) as d:
        done = d.deliver(bytes(body), users, vms_from=vms_from, subject=subject, to=to, cc=cc,
                         flags=ms.F_NEW | (ms.F_FOREIGN if foreign else 0))
    notify.post(root, [x.user for x in done if x.id is not None], vms_from)
    return done


__all__ = ["Recipient", "split_addresses", "local_user", "resolve", "sender_text",
           "deliver_local"]
