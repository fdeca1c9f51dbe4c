"""`vmsenv deliver` and `vmsenv import-mbox` through the CLI: every body byte comes back, and
failures store nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from vmsenv import uaf
from vmsenv.cli import main
from vmsenv.mail import notify, profile
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import SmtpConfig
from vmsenv.testing import add_account

# CR LF and LF mixed, 8-bit bytes, a NUL, lines starting with "." and "From ", no final LF.
MESSAGE = (b"Return-Path: <bounce@example.com>\r\n"
           b"From: Joe Bloggs <joe@example.com>\r\n"
           b"To: jones@vms.example.com,\r\n\tsmith@vms.example.com\r\n"
           b"Cc: boss@example.com\r\n"
           b"Subject: Caf\xe9 menu\r\n"
           b"\r\n"
           b"Line one\r\n"
           b".starts with a dot\n"
           b"From the top\r\n"
           b"nul \x00 byte and \xff\r\n"
           b"no final line end")




@pytest.fixture
def users(root):
    add_account(root, "JONES", (0o200, 1))
    add_account(root, "SMITH", (0o200, 2))
    add_account(root, "NOMAIL", (0o200, 3), "DISMAIL")
    return root


def cli(root, *args: str, data: bytes = b""):
    return CliRunner().invoke(main, [*args, "--root", str(root.path)], input=data)


def messages(root, user: str, folder: str = ms.NEWMAIL) -> list[tuple[ms.MessageInfo, bytes]]:
    mf = profile.open_mail_file(root, uaf.get(root, user))
    if mf is None:
        return []
    try:
        return [(info, mf.read(info.id)) for info in mf.list(folder)]
    finally:
        mf.close()


def original(info: ms.MessageInfo, body: bytes) -> bytes | None:
    return ms.original_message(info, body)


# ------------------------------------------------------------------------------ deliver
@pytest.mark.parametrize("control", ["HEADERS", "TOP_HEADERS"])
def test_deliver_round_trip_every_byte(users, control):
    SmtpConfig(header_control=control).save(users)
    result = cli(users, "deliver", "jones,SMITH", data=MESSAGE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" (UID")[0] for line in lines] == [
        "%VMSENV-I-DELIVERED, message delivered to JONES",
        "%VMSENV-I-DELIVERED, message delivered to SMITH"]
    for user in ("JONES", "SMITH"):
        [(info, body)] = messages(users, user)
        assert original(info, body) == MESSAGE
        assert info.vms_from == 'SMTP%"joe@example.com"'
        assert info.subject == "Caf\xe9 menu"
        assert info.to == "jones@vms.example.com,\tsmith@vms.example.com"
        assert info.cc == "boss@example.com"
        assert info.is_new
        if control == "TOP_HEADERS":
            assert body == MESSAGE
        else:
            assert body.startswith(b"Line one\r\n") and body.endswith(b"Subject: Caf\xe9 menu\r\n")
        seen = notify.notices(users, user)
        assert [text for _, text in seen] == [f"New mail on node {users.node} from {info.vms_from}"]


def test_deliver_explicit_sender_and_vms_from(users):
    result = cli(users, "deliver", "JONES", "--from", "<orders@shop.example>", data=MESSAGE)
    assert result.exit_code == 0, result.output
    [(info, body)] = messages(users, "JONES")
    assert info.vms_from == 'SMTP%"orders@shop.example"' and original(info, body) == MESSAGE
    plain = b"A plain VMS message.\n\n  indented\x01\n"
    result = cli(users, "deliver", "SMITH", "--vms-from", 'ORDERS::"j.smith@acme.com"',
                 "--subject", "Pure", data=plain)
    assert result.exit_code == 0, result.output
    [(info, body)] = messages(users, "SMITH")
    assert (info.vms_from, info.subject, info.to) == ('ORDERS::"j.smith@acme.com"', "Pure",
                                                      "SMITH")
    assert body == plain and original(info, body) is None


@pytest.mark.parametrize("args, data, message", [
    (("JONES,NOBODY",), MESSAGE, "%MAIL-E-NOSUCHUSR, no such user NOBODY"),
    (("JONES,NOMAIL",), MESSAGE,
     "%MAIL-E-USERDSABL, user NOMAIL is not allowed to receive mail"),
    (("JONES", "--from", "not an address"), MESSAGE,
     "%VMSENV-E-BADADDR, invalid mail address not an address"),
    (("JONES",), b"", "%VMSENV-E-BADMSG, message is not in RFC 822 format: empty message"),
    (("JONES",), b"just text, no header\n",
     "%VMSENV-E-BADMSG, message is not in RFC 822 format: first line is not a header field"),
    (("BAD:NAME",), MESSAGE, "%MAIL-E-NOSUCHUSR, no such user BAD:NAME"),
])
def test_deliver_failures_store_nothing(users, args, data, message):
    result = cli(users, "deliver", *args, data=data)
    assert result.exit_code != 0
    assert result.stderr.splitlines()[0] == message
    assert result.stdout == ""
    for user in ("JONES", "SMITH", "NOMAIL"):
        assert messages(users, user) == []
    assert notify.notices(users, "JONES") == []


def test_deliver_options_exclude_each_other(users):
    result = cli(users, "deliver", "JONES", "--from", "a@b.c", "--vms-from", "X::Y", data=MESSAGE)
    assert result.exit_code == 2 and "exclude each other" in result.output
    assert messages(users, "JONES") == []


# ------------------------------------------------------------------------------ import-mbox
M1 = (b"From: Ann <ann@example.org>\n"
      b"Subject: first\n"
      b"\n"
      b"Hello\n"
      b">From here on, quoted in the mbox\n"
      b".dot line\n")
M2 = (b"From: bob@example.org\r\n"
      b"Subject: second \xe9\r\n"
      b"\r\n"
      b"CR LF body\r\n"
      b"\x00 and 8-bit \xfe\r\n")
M3 = b"Subject: no sender header\n\njust a body\n"


def mbox_bytes() -> bytes:
    return (b"From ann@example.org Mon Mar  2 10:00:00 2026\n"
            + M1.replace(b"\n>From here", b"\n>>From here") + b"\n"
            + b"From bob@example.org Tue Mar  3 11:30:00 2026\n" + M2 + b"\n"
            + b"From carol@example.org Wed Mar  4 12:00:00 2026\n" + M3)


def test_import_round_trip_and_idempotent(users, tmp_path):
    path = tmp_path / "old.mbox"
    path.write_bytes(mbox_bytes())
    result = cli(users, "import-mbox", "jones", str(path), "--folder", "Archive")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("%VMSENV-I-IMPORTED, 3 messages imported (")
    assert result.stdout.rstrip().endswith("0 already present, 0 not imported")
    stored = messages(users, "JONES", "ARCHIVE")
    assert [original(i, b) for i, b in stored] == [M1, M2, M3]
    assert [i.vms_from for i, _ in stored] == ['SMTP%"ann@example.org"', 'SMTP%"bob@example.org"',
                                               'SMTP%"carol@example.org"']
    assert not any(i.is_new for i, _ in stored)
    again = cli(users, "import-mbox", "JONES", str(path), "--folder", "ARCHIVE")
    assert again.exit_code == 0
    assert "0 messages imported" in again.stdout and "3 already present" in again.stdout
    assert len(messages(users, "JONES", "ARCHIVE")) == 3
    assert notify.notices(users, "JONES") == []


def test_import_reports_what_it_cannot_parse(users, tmp_path):
    path = tmp_path / "mixed.mbox"
    path.write_bytes(b"garbage before any From line\n"
                     + b"From x@y.z Mon Mar  2 10:00:00 2026\nnot a header line\n\n"
                     + b"From ann@example.org Mon Mar  2 10:00:00 2026\n" + M1)
    result = cli(users, "import-mbox", "SMITH", str(path))
    assert result.exit_code == 1
    err = result.stderr.splitlines()
    assert err[0].startswith("%VMSENV-W-NOTIMPORTED, message 1 of ")
    assert err[1] == ("-VMSENV-E-BADMSG, message is not in RFC 822 format: "
                      "text before the first From line")
    assert err[2].startswith("%VMSENV-W-NOTIMPORTED, message 2 of ")
    assert "1 message imported" in result.stdout and "2 not imported" in result.stdout
    [(info, body)] = messages(users, "SMITH")
    assert original(info, body) == M1.replace(b">From here", b"From here") and info.is_new


@pytest.mark.parametrize("user, name, folder, message", [
    ("NOBODY", "old.mbox", "NEWMAIL", "%MAIL-E-NOSUCHUSR, no such user NOBODY"),
    ("NOMAIL", "old.mbox", "NEWMAIL",
     "%MAIL-E-USERDSABL, user NOMAIL is not allowed to receive mail"),
    ("JONES", "missing.mbox", "NEWMAIL", "%MAIL-E-OPENIN, error opening {dir}/missing.mbox as input"),
    ("JONES", ".", "NEWMAIL", "%MAIL-E-OPENIN, error opening {dir} as input"),
    ("JONES", "old.mbox", "BAD-NAME", "%MAIL-E-ILLFOLNAM, illegal folder name BAD-NAME"),
])
def test_import_failures_store_nothing(users, tmp_path, user, name, folder, message):
    (tmp_path / "old.mbox").write_bytes(mbox_bytes())
    target = tmp_path / name if name != "." else tmp_path
    result = cli(users, "import-mbox", user, str(target), "--folder", folder)
    assert result.exit_code != 0
    assert result.stderr.splitlines()[0] == message.format(dir=tmp_path)
    for who in ("JONES", "NOMAIL"):
        assert profile.open_mail_file(users, uaf.get(users, who)) is None
