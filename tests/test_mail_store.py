"""The mail file: bodies byte for byte, folders, identity, batches, deleted space, damage."""

from __future__ import annotations

import os
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsenv import condition as cond
from vmsenv.mail import store as ms
from vmsenv.mail.store import (
    MAIL,
    NEWMAIL,
    WASTEBASKET,
    MailFile,
    NewMessage,
    body_stats,
    pop_wire,
)

ODD_BODIES = {
    "empty": b"",
    "lf": b"one\ntwo\n",
    "crlf": b"one\r\ntwo\r\n",
    "mixed": b"a\r\nb\nc\rd\r\r\n\n\r\n",
    "no final newline": b"first\nlast line",
    "bare cr at end": b"text\r",
    "dots": b".\n..\n.x\nmid.dle\n.\r\n",
    "starts with dot": b".hidden\n",
    "every byte": bytes(range(256)) * 3,
    "nul and 8-bit": b"\x00\xff\xe9t\xe9\n\x00\n",
    "huge line": b"x" * 300_000,
    "huge lines with dots": (b"." + b"y" * 100_000 + b"\r\n") * 3,
    "from lines": b"From me\n>From you\n",
}


def unstuff(wire: bytes) -> bytes:
    """What a POP client makes of the POP form: lines without the stuffing dots."""
    lines = wire.split(b"\r\n")
    assert lines[-1] == b""
    return b"".join((ln[1:] if ln.startswith(b".") else ln) + b"\r\n" for ln in lines[:-1])


def crlf_lines(data: bytes) -> bytes:
    """The line content of a body with every line end made CR LF (the POP view)."""
    if not data:
        return b""
    parts = data.split(b"\n")
    last = parts.pop()              # after the last LF: a line without LF, or nothing
    out = b"".join((p[:-1] if p.endswith(b"\r") else p) + b"\r\n" for p in parts)
    return out + (last + b"\r\n" if last else b"")


@pytest.fixture
def mf(tmp_path):
    with MailFile(tmp_path) as m:
        yield m


def msg(body: bytes = b"hello\n", subject: str = "s", **kw) -> NewMessage:
    return NewMessage(body, 'SMTP%"a@example.com"', "SMITH", "", subject, **kw)


# ------------------------------------------------------------------ bodies and POP form
@pytest.mark.parametrize("name", sorted(ODD_BODIES))
def test_body_round_trip(mf, name):
    body = ODD_BODIES[name]
    mid = mf.add(msg(body))
    assert mf.read(mid) == body
    info = mf.info(mid)
    assert info.size == len(body)
    lines, wire_size, ready = body_stats(body)
    assert (info.lines, info.wire_size, bool(info.wire_ready)) == (lines, wire_size, ready)
    assert info.external == (len(body) > ms.EXTERNAL_THRESHOLD)
    mf.close()
    with MailFile(mf.path) as again:
        assert again.read(mid) == body


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.lists(st.sampled_from(
    [b".", b"\r", b"\n", b"\r\n", b"a", b"..", b"\n.", b"\xff"]), max_size=40).map(b"".join))
def test_pop_form_properties(data):
    lines, wire_size, ready = body_stats(data)
    wire = pop_wire(data)
    assert wire.count(b"\r\n") >= lines
    assert unstuff(wire) == crlf_lines(data)
    assert len(crlf_lines(data)) == wire_size
    assert len(crlf_lines(data).split(b"\r\n")) - 1 == lines
    assert ready == (wire == data)


def test_pop_form_examples():
    assert pop_wire(b"a\nb") == b"a\r\nb\r\n"
    assert pop_wire(b".x\n.\n") == b"..x\r\n..\r\n"
    assert pop_wire(b"") == b""
    assert body_stats(b"a\r\nb\r\n") == (2, 6, True)
    assert body_stats(b"a\nb") == (2, 6, False)
    assert body_stats(b".a\r\n") == (1, 4, False)


# ------------------------------------------------------------------ folders
def test_newmail_vanishes_and_folders(mf):
    a, b = mf.add(msg()), mf.add(msg())
    assert mf.folders() == [(NEWMAIL, 2)]
    assert mf.move([a], MAIL) == 1
    assert mf.folders() == [(MAIL, 1), (NEWMAIL, 1)]
    mf.move([b], "PROJECTS")
    assert mf.folders() == [(MAIL, 1), ("PROJECTS", 1)]
    assert not mf.folder_exists(NEWMAIL)
    assert mf.list(NEWMAIL) == []
    assert mf.count("PROJECTS") == 1


def test_list_in_arrival_order(mf):
    ids = [mf.add(msg(subject=str(i), arrived=1_000_000 * (10 - i))) for i in range(5)]
    assert [m.id for m in mf.list(NEWMAIL)] == list(reversed(ids))


def test_delete_purge_and_wastebasket(mf):
    ids = [mf.add(msg(b"x" * 100)) for _ in range(3)]
    assert mf.delete(ids[:2]) == 2
    assert mf.delete(ids[:1]) == 0            # already in WASTEBASKET
    assert mf.count(WASTEBASKET) == 2
    result = mf.purge()
    assert result.messages == 2 and result.bytes > 200
    assert mf.deleted_bytes() == result.bytes
    assert not mf.folder_exists(WASTEBASKET)
    with pytest.raises(cond.VMSError) as e:
        mf.read(ids[0])
    assert e.value.status == cond.MAIL_NOSUCHMSG


def test_delete_with_source_guard(mf):
    a = mf.add(msg())
    mf.move([a], "KEEP")
    assert mf.delete([a], source=NEWMAIL) == 0
    assert mf.move([a], MAIL, source=NEWMAIL) == 0
    assert mf.info(a).folder == "KEEP"


def test_copy_is_a_new_message(mf):
    big = os.urandom(ms.EXTERNAL_THRESHOLD + 10)
    a, b = mf.add(msg(b"small\n")), mf.add(msg(big))
    copies = mf.copy([a, b, 999], "ARCHIVE")
    assert len(copies) == 2 and set(copies).isdisjoint({a, b})
    assert [mf.read(c) for c in copies] == [b"small\n", big]
    mf.erase([b])
    assert mf.read(copies[1]) == big
    assert mf.info(copies[0]).uid != mf.info(a).uid


def test_folder_names():
    assert ms.parse_folder_name("projects") == "PROJECTS"
    assert ms.parse_folder_name('"Mixed Case"') == "Mixed Case"
    assert ms.parse_folder_name("A$_1") == "A$_1"
    assert ms.parse_folder_name("x" * 39) == "X" * 39
    for bad in ("x" * 40, "two words", "a-b", "", '""'):
        with pytest.raises(cond.VMSError) as e:
            ms.parse_folder_name(bad)
        assert e.value.status == cond.MAIL_ILLFOLNAM


def test_bad_folder_refused(mf):
    a = mf.add(msg())
    for bad in ("", "x" * 40, "tab\there"):
        with pytest.raises(cond.VMSError):
            mf.move([a], bad)
    assert mf.info(a).folder == NEWMAIL


# ------------------------------------------------------------------ identity, flags, keys
def test_uid_stable_and_ids_not_reused(mf):
    a = mf.add(msg())
    uid = mf.info(a).uid
    assert uid == f"{mf.tag}.{a}" and len(uid) <= 30 and all(0x21 <= ord(c) <= 0x7E for c in uid)
    mf.move([a], MAIL)
    assert mf.info(a).uid == uid
    mf.erase([a])
    b = mf.add(msg())
    assert b > a
    mf.reclaim()
    mf.close()
    with MailFile(mf.path) as again:
        assert again.info(b).uid == f"{again.tag}.{b}"


def test_new_mail_count_and_flags(mf):
    ids = [mf.add(msg()) for _ in range(4)]
    mf.add(msg(flags=0))
    assert mf.new_mail_count() == 4
    mf.mark_read(ids[:3])
    assert mf.new_mail_count() == 1
    mf.set_flags(ids[:1], set=ms.F_REPLIED | ms.F_MARKED)
    info = mf.info(ids[0])
    assert info.flags == ms.F_REPLIED | ms.F_MARKED and not info.is_new


def test_keys_make_adding_idempotent(mf):
    assert mf.add(msg(key="k1")) is not None
    assert mf.add(msg(key="k1")) is None
    ids = mf.add_many([msg(key="k2"), msg(key="k1"), msg(key="k3")])
    assert ids[1] is None and None not in (ids[0], ids[2])
    mf.delete(ids[:1])
    mf.purge()
    assert mf.add(msg(key="k2")) is None         # remembered after the purge
    assert mf.has_key("k3")


def test_batch_is_all_or_nothing(mf):
    a, b = mf.add(msg()), mf.add(msg())
    with pytest.raises(RuntimeError):
        with mf.batch() as batch:
            batch.move([a], MAIL)
            batch.erase([b])
            batch.add(msg(key="inside"))
            raise RuntimeError("connection dropped")
    assert [m.id for m in mf.list(NEWMAIL)] == [a, b]
    assert not mf.has_key("inside")
    with mf.batch() as batch:          # a POP QUIT: deletions and read mail moved to MAIL
        assert batch.erase([b], source=NEWMAIL) == 1
        assert batch.move([a], MAIL, source=NEWMAIL) == 1
        batch.set_flags([a], clear=ms.F_NEW)
    assert mf.folders() == [(MAIL, 1)]


def test_arrival_times():
    import datetime as dt
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 600000, tzinfo=dt.timezone.utc)
    us = ms.arrival_us(aware)
    assert ms.arrival_us(us) == us
    local = ms.local_time(us)
    assert local.astimezone(dt.timezone.utc) == aware
    assert ms.arrival_us(local) == us


# ------------------------------------------------------------------ deleted space, reclaim
def test_reclaim_after_threshold(mf):
    ids = [mf.add(msg(b"z" * 6000)) for _ in range(6)]
    mf.delete(ids[:3])
    small = mf.purge()
    assert small.reclaimed is None and 18_000 < mf.deleted_bytes() <= ms.RECLAIM_THRESHOLD
    mf.delete(ids[3:])
    big = mf.purge()                 # passes 32,767 bytes: reclaimed by itself
    assert big.reclaimed is not None and mf.deleted_bytes() == 0


def test_purge_reclaim_shrinks_file(mf):
    ids = [mf.add(msg(b"q" * 8000)) for _ in range(200)]
    mf.delete(ids)
    mf.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = os.path.getsize(mf.path)
    result = mf.purge(reclaim=True)
    assert result.messages == 200 and result.reclaimed > 1_000_000
    assert os.path.getsize(mf.path) < before / 4
    assert mf.deleted_bytes() == 0


# ------------------------------------------------------------------ large bodies, damage
def test_external_bodies_and_cleanup(mf):
    big = os.urandom(ms.EXTERNAL_THRESHOLD + 1)
    a = mf.add(msg(big))
    path = mf.body_file(a)
    assert path.read_bytes() == big and path.name.startswith("mail$")
    stray = mf.directory / f"mail${mf.tag.lower()}{999:08x}.mai"
    stray.write_bytes(b"left by a killed writer")
    temp = path.with_suffix(".tmp")
    temp.write_bytes(b"half")
    other = mf.directory / "mail$0000000000000001.mai"     # another mail file's (other tag)
    other.write_bytes(b"not ours")
    problems = mf.check()
    assert any(stray.name in p for p in problems) and any(temp.name in p for p in problems)
    assert sorted(p.name for p in mf.cleanup()) == sorted([stray.name, temp.name])
    assert mf.check(deep=True) == [] and other.exists()
    mf.delete([a])
    mf.purge()
    assert not path.exists()


def test_damage_is_reported(mf):
    big = os.urandom(ms.EXTERNAL_THRESHOLD * 2)
    a = mf.add(msg(big))
    b = mf.add(msg(b"inline\n"))
    with open(mf.body_file(a), "r+b") as f:
        f.truncate(1000)
    with pytest.raises(cond.VMSError) as e:
        mf.read(a)
    assert e.value.status == cond.VMSENV_MAILDAMAGED
    mf.body_file(a).unlink()
    with pytest.raises(cond.VMSError) as e:
        mf.read(a)
    assert e.value.status == cond.VMSENV_MAILDAMAGED
    mf.db.execute("UPDATE bodies SET data = x'00' WHERE id = ?", (b,))
    problems = mf.check()
    assert any(f"message {a}" in p for p in problems) and any(f"message {b}" in p for p in problems)


def test_open_errors(tmp_path):
    for missing in (tmp_path / "missing" / "mail.mai", tmp_path / "missing"):
        with pytest.raises(cond.VMSError) as e:
            MailFile(missing)
        assert e.value.status == cond.MAIL_OPENIN and cond.RMS_DNF in e.value.secondary
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(cond.VMSError) as e:
        MailFile(tmp_path, create=False)
    assert e.value.status == cond.MAIL_OPENIN
    (tmp_path / "mail.mai").write_bytes(b"this is not a mail file" * 100)
    with pytest.raises(cond.VMSError) as e:
        MailFile(tmp_path)
    assert e.value.status == cond.MAIL_OPENIN
    assert "error opening" in e.value.lines()[0]


def test_existing_file_found_ignoring_case(tmp_path):
    with MailFile(tmp_path / "MAIL.MAI") as m:
        a = m.add(msg())
    with MailFile(tmp_path) as m:
        assert m.path.name == "MAIL.MAI" and m.read(a) == b"hello\n"


def test_list_uses_the_folder_index(mf):
    plan = mf.db.execute("EXPLAIN QUERY PLAN SELECT id FROM messages WHERE folder = ? "
                         "ORDER BY arrived, id", (NEWMAIL,)).fetchall()
    assert "messages_folder" in " ".join(str(r) for r in plan)
    assert "TEMP B-TREE" not in " ".join(str(r) for r in plan).upper()


# ------------------------------------------------------------------ SET MAIL_DIRECTORY
def test_relocate(tmp_path):
    old, new = tmp_path / "login", tmp_path / "login" / "mail"
    old.mkdir()
    new.mkdir()
    big = os.urandom(ms.EXTERNAL_THRESHOLD + 5)
    with MailFile(old) as m:
        a, b = m.add(msg(b"small\n", key="k")), m.add(msg(big))
        uids = [m.info(a).uid, m.info(b).uid]
        target = m.relocate(new)
        assert target == new / "mail.mai" and m.path == target
        assert [m.read(a), m.read(b)] == [b"small\n", big]
        assert [m.info(a).uid, m.info(b).uid] == uids
        assert m.add(msg(key="k")) is None
        c = m.add(msg(b"after\n"))
    assert not any(p.name.startswith("mail$") for p in old.iterdir())
    assert (old / "mail.mai").stat().st_size < 20_000       # a tombstone
    with pytest.raises(cond.VMSError) as e:
        MailFile(old)
    assert e.value.status == cond.VMSENV_MAILMOVED and e.value.fao_args[1] == str(target)
    with MailFile(new, create=False) as m:
        assert m.read(c) == b"after\n" and m.check(deep=True) == []


def test_relocated_file_refuses_writers(tmp_path):
    old, new = tmp_path / "a", tmp_path / "b"
    old.mkdir()
    new.mkdir()
    stale = MailFile(old)
    stale.add(msg())
    mover = MailFile(old)
    mover.relocate(new)
    with pytest.raises(cond.VMSError) as e:
        stale.add(msg())
    assert e.value.status == cond.VMSENV_MAILMOVED
    stale.close()
    mover.close()
    with MailFile(new) as m:
        assert m.count(NEWMAIL) == 1
        m.relocate(old)                  # and back again, over the tombstone
    with MailFile(old) as m:
        assert m.count(NEWMAIL) == 1 and m.check(deep=True) == []


def test_relocate_refuses_another_mail_file(tmp_path):
    old, new = tmp_path / "a", tmp_path / "b"
    old.mkdir()
    new.mkdir()
    MailFile(new).close()
    with MailFile(old) as m:
        with pytest.raises(cond.VMSError) as e:
            m.relocate(new)
        assert cond.RMS_FEX in e.value.secondary


def test_integrity_of_a_fresh_file(mf):
    mf.add(msg())
    assert mf.check() == []
    db = sqlite3.connect(mf.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    db.close()


def test_session_lock(mf):
    with mf.lock_session() as lock:
        assert lock.held
        with pytest.raises(cond.VMSError) as e:
            MailFile(mf.path).lock_session()
        assert e.value.status == cond.MAIL_OPENIN and cond.RMS_FLK in e.value.secondary
        mf.add(msg())                            # MAIL and deliveries are not stopped
    assert not lock.held
    mf.lock_session().release()


# ------------------------------------------------------------------ generation
def test_every_change_bumps_the_generation(mf):
    assert mf.generation() == 0
    a = mf.add(msg())
    assert mf.generation() == 1
    b, c = mf.add_many([msg(), msg()])
    assert mf.generation() == 2
    steps = [lambda: mf.move([a], MAIL), lambda: mf.copy([a], "KEEP"),
             lambda: mf.set_flags([b], set=ms.F_MARKED), lambda: mf.mark_read([b]),
             lambda: mf.delete([c]), lambda: mf.erase([b]), lambda: mf.purge()]
    for i, step in enumerate(steps, start=3):
        step()
        assert mf.generation() == i
    mf.list(MAIL)
    mf.read(a)
    mf.reclaim()                            # no message changes: no new generation
    assert mf.generation() == len(steps) + 2


def test_failed_batch_keeps_the_generation(mf):
    mf.add(msg())
    with pytest.raises(RuntimeError):
        with mf.batch() as batch:
            batch.add(msg())
            raise RuntimeError("dropped")
    assert mf.generation() == 1


def test_generation_seen_through_other_connections(tmp_path):
    with MailFile(tmp_path) as reader, MailFile(tmp_path) as writer:
        before, rows = reader.listing([NEWMAIL])
        assert rows == []
        writer.add(msg())
        after, rows = reader.listing([NEWMAIL])
        assert after == reader.generation() == before + 1 and len(rows) == 1


def test_generation_seen_across_processes(tmp_path):
    import subprocess
    import sys
    with MailFile(tmp_path) as mf:
        mf.add(msg())
        before = mf.generation()
        code = ("import sys; from vmsenv.mail import store as ms; "
                "m = ms.MailFile(sys.argv[1]); "
                "m.add(ms.NewMessage(b'x\\n', 'JONES')); m.close()")
        subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
        assert mf.generation() == before + 1
        assert len(mf.list(NEWMAIL)) == 2


def test_file_without_a_generation_entry(tmp_path):
    with MailFile(tmp_path) as m:
        m.add(msg())
    db = sqlite3.connect(tmp_path / "mail.mai")
    db.execute("DELETE FROM meta WHERE key = 'generation'")
    db.commit()
    db.close()
    with MailFile(tmp_path) as m:
        assert m.generation() == 0
        m.add(msg())
        assert m.generation() == 1


def test_listing_of_folders(mf):
    a = mf.add(msg(arrived=3_000_000))
    b = mf.add(msg(arrived=1_000_000))
    c = mf.add(msg(arrived=2_000_000))
    d = mf.add(msg(arrived=2_000_000))
    mf.move([b, d], MAIL)
    gen, rows = mf.listing([NEWMAIL])
    assert gen == mf.generation() and rows == mf.list(NEWMAIL)
    _, rows = mf.listing([MAIL, NEWMAIL, MAIL])
    assert [r.id for r in rows] == [b, c, d, a]
    assert [r.folder for r in rows] == [MAIL, NEWMAIL, MAIL, NEWMAIL]
    assert mf.listing([]) == (gen, [])
    assert mf.listing(["NOSUCH"]) == (gen, [])
    assert not mf.db.in_transaction
    plan = mf.db.execute("EXPLAIN QUERY PLAN SELECT id FROM messages WHERE folder IN (?) "
                         "ORDER BY arrived, id", (NEWMAIL,)).fetchall()
    assert "TEMP B-TREE" not in " ".join(str(r) for r in plan).upper()     # one folder: no sort
