"""mbox import: every message in order and byte for byte, failures reported, re-runs and
interrupted runs without duplicates, progress only on a terminal."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vmsenv import condition as cond
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import Deliverer, SmtpConfig
from vmsenv.mail.mbox import import_mbox, split_mbox

REPO = Path(__file__).resolve().parent.parent
CONFIG = SmtpConfig(header_control="TOP_HEADERS", host_name="vms.example.com")


def mboxrd(messages: list[bytes], dates: list[str] | None = None) -> bytes:
    """An mbox as mboxrd writers make it (messages must end with a line end)."""
    out = []
    for i, m in enumerate(messages):
        eol = b"\r\n" if m.endswith(b"\r\n") else b"\n"
        date = dates[i] if dates else f"Mon Jan  1 00:{i // 60 % 60:02d}:{i % 60:02d} 2024"
        out.append(b"From sender%d@example.com " % i + date.encode() + eol)
        out.append(re.sub(rb"(?m)^(>*From )", rb">\1", m))
        out.append(eol)
    return b"".join(out)


def sample_messages() -> list[bytes]:
    return [
        b"From: a@example.com\nSubject: one\n\nFrom the start of a line\n>From quoted\n",
        b"From: b@example.com\r\nSubject: crlf\r\n\r\n.dot\r\n..two\r\n\xe9\xff\x00\r\n",
        b"From: c@example.com\nSubject: huge line\n\n" + b"h" * 150_000 + b"\n",
        b"From: d@example.com\nSubject: empty body\n\n",
        b"From: e@example.com\nSubject: >>From lines\n\n>>From x\n>From y\nFrom z\n",
        b"Subject: only the envelope names a sender\n\nbody\n",
    ]


@pytest.fixture
def user(tmp_path):
    d = tmp_path / "smith"
    d.mkdir()
    return {"SMITH": d}


def originals(directory: Path, folder: str = ms.NEWMAIL) -> list[bytes]:
    with ms.MailFile(directory) as mf:
        return [mf.read_original(i.id) for i in mf.list(folder)]


def run_import(tmp_path, user, data: bytes, **kw):
    path = tmp_path / "in.mbox"
    path.write_bytes(data)
    with Deliverer(user.get, config=kw.pop("config", CONFIG)) as d:
        return import_mbox(path, "smith", d, progress=None, **kw)


# ------------------------------------------------------------------ reading mbox files
def test_split_rules():
    data = (b"From a@x Mon Jan  1 00:00:00 2024\nX: 1\n\n>From body\n\n"
            b"From b@x Mon Jan  1 00:00:01 2024\r\nX: 2\r\n\r\nb\r\n\r\n"
            b"From c@x Mon Jan  1 00:00:02 2024\nFrom d@x Mon Jan  1 00:00:03 2024\nX: 4")
    entries = list(split_mbox(data))
    assert [e.data for e in entries] == [b"X: 1\n\nFrom body\n", b"X: 2\r\n\r\nb\r\n", b"",
                                         b"X: 4"]
    assert [e.index for e in entries] == [1, 2, 3, 4]
    assert entries[1].offset == data.index(b"From b@x")
    assert list(split_mbox(data, unescape=False))[0].data == b"X: 1\n\n>From body\n"
    assert list(split_mbox(b"")) == []


def test_round_trip_in_order(tmp_path, user):
    messages = sample_messages()
    result = run_import(tmp_path, user, mboxrd(messages))
    assert result.ok and result.messages == len(messages) and result.present == 0
    assert result.bytes == sum(len(m) for m in messages)
    assert originals(user["SMITH"]) == messages
    with ms.MailFile(user["SMITH"]) as mf:
        infos = mf.list(ms.NEWMAIL)
        assert infos[-1].vms_from == 'SMTP%"sender5@example.com"'
        assert infos[0].arrival.strftime("%H:%M:%S") == "00:00:00"
        assert all(i.is_new for i in infos)
        assert mf.check(deep=True) == []


def test_order_kept_when_dates_are_equal_or_missing(tmp_path, user):
    messages = [b"From: a@x.org\nSubject: %d\n\nbody\n" % i for i in range(30)]
    dates = ["Mon Jan  1 00:00:00 2024"] * 10 + ["garbage"] * 20
    run_import(tmp_path, user, mboxrd(messages, dates))
    assert originals(user["SMITH"]) == messages


def test_bottom_headers_import(tmp_path, user):
    messages = sample_messages()
    run_import(tmp_path, user, mboxrd(messages), config=SmtpConfig(host_name="h.example"))
    assert originals(user["SMITH"]) == messages


def test_rerun_does_not_duplicate(tmp_path, user):
    messages = sample_messages() + [sample_messages()[0]]      # a true duplicate inside
    data = mboxrd(messages)
    first = run_import(tmp_path, user, data)
    assert first.messages == len(messages)
    again = run_import(tmp_path, user, data)
    assert (again.messages, again.present) == (0, len(messages))
    assert originals(user["SMITH"]) == messages
    more = messages + [b"From: new@x.org\n\nnew\n"]
    grown = run_import(tmp_path, user, mboxrd(more))
    assert (grown.messages, grown.present) == (1, len(messages))
    assert originals(user["SMITH"]) == more


def test_partial_import_then_full(tmp_path, user):
    messages = [b"From: a@x.org\nSubject: n%d\n\nbody %d\n" % (i, i) for i in range(50)]
    data = mboxrd(messages)
    cut = data.index(b"From sender20@")
    run_import(tmp_path, user, data[:cut], batch_messages=7)
    result = run_import(tmp_path, user, data, batch_messages=7)
    assert (result.messages, result.present) == (30, 20)
    assert originals(user["SMITH"]) == messages


def test_into_a_folder(tmp_path, user):
    run_import(tmp_path, user, mboxrd(sample_messages()[:2]), folder="ARCHIVE")
    with ms.MailFile(user["SMITH"]) as mf:
        assert mf.folders() == [("ARCHIVE", 2)] and mf.new_mail_count() == 0


# ------------------------------------------------------------------ failures
def test_unparseable_messages_are_reported(tmp_path, user):
    good = sample_messages()[:2]
    data = (b"leading junk that is not a message\n"
            + mboxrd([good[0]])
            + b"From - Mon Jan  1 00:00:00 2024\nthis is not a header\n\nbody\n\n"
            + b"From - Mon Jan  1 00:00:00 2024\nSubject: nobody sent this\n\nbody\n\n"
            + mboxrd([good[1]]))
    result = run_import(tmp_path, user, data)
    assert result.messages == 2
    assert [f.index for f in result.failures] == [1, 3, 4]
    assert [f.error.status for f in result.failures] == [
        cond.VMSENV_BADMSG, cond.VMSENV_BADMSG, cond.VMSENV_NOSENDER]
    assert result.failures[1].offset == data.index(b"From - ")
    lines = result.failure_errors()[1].lines()
    assert lines[0] == (f"%VMSENV-W-NOTIMPORTED, message 3 of {tmp_path / 'in.mbox'} "
                        f"(at byte {result.failures[1].offset}) not imported")
    assert lines[1].startswith("-VMSENV-E-BADMSG, message is not in RFC 822 format")
    assert originals(user["SMITH"]) == good
    assert result.summary().startswith("%VMSENV-I-IMPORTED, 2 messages imported (")
    assert result.summary().endswith("0 already present, 3 not imported")


def test_not_an_mbox(tmp_path, user):
    result = run_import(tmp_path, user, b"From: a@x.org\n\nplain message file\n")
    assert result.messages == 0 and len(result.failures) == 1
    empty = run_import(tmp_path, user, b"")
    assert (empty.messages, empty.failures) == (0, [])


def test_missing_file_and_unknown_user(tmp_path, user):
    with Deliverer(user.get, config=CONFIG) as d:
        with pytest.raises(cond.VMSError) as e:
            import_mbox(tmp_path / "nope.mbox", "SMITH", d, progress=None)
        assert e.value.status == cond.MAIL_OPENIN
        (tmp_path / "x.mbox").write_bytes(mboxrd(sample_messages()))
        with pytest.raises(cond.VMSError) as e:
            import_mbox(tmp_path / "x.mbox", "JONES", d, progress=None)
        assert e.value.status == cond.MAIL_NOSUCHUSR


# ------------------------------------------------------------------ progress
class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal(tmp_path, user):
    path = tmp_path / "p.mbox"
    path.write_bytes(mboxrd(sample_messages()))
    with Deliverer(user.get, config=CONFIG) as d:
        quiet = io.StringIO()
        import_mbox(path, "SMITH", d, progress=quiet)
        assert quiet.getvalue() == ""
        tty = FakeTerminal()
        import_mbox(path, "SMITH", d, progress=tty)
    text = tty.getvalue()
    assert text.startswith("\rImporting [") and "100.0%" in text and text.endswith("\n")


# ------------------------------------------------------------------ interrupted by SIGKILL
IMPORTER = r"""
import sys
from vmsenv.mail.deliver import Deliverer, SmtpConfig
from vmsenv.mail.mbox import import_mbox
with Deliverer({"SMITH": sys.argv[1]}.get, config=SmtpConfig(host_name="h.example")) as d:
    import_mbox(sys.argv[2], "SMITH", d, progress=None, batch_messages=25)
"""


def test_killed_import_can_be_run_again(tmp_path, user):
    messages = [b"From: a@x.org\nSubject: n%d\n\n" % i + os.urandom(3000 + i % 7 * 20000)
                .replace(b"\n", b"\n ") + b"\n" for i in range(600)]
    path = tmp_path / "big.mbox"
    path.write_bytes(mboxrd(messages))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(user["SMITH"]), str(path)],
                            env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (user["SMITH"] / "mail.mai").exists():
            with ms.MailFile(user["SMITH"]) as mf:
                if mf.count(ms.NEWMAIL) >= 50:
                    break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with ms.MailFile(user["SMITH"]) as mf:
        done = mf.count(ms.NEWMAIL)
    assert 50 <= done < len(messages)
    with Deliverer(user.get, config=SmtpConfig(host_name="h.example")) as d:
        result = import_mbox(path, "SMITH", d, progress=None)
    assert (result.present, result.messages) == (done, len(messages) - done)
    with ms.MailFile(user["SMITH"]) as mf:
        assert [mf.read_original(i.id) for i in mf.list(ms.NEWMAIL)] == messages
        mf.cleanup()
        assert mf.check(deep=True) == []
