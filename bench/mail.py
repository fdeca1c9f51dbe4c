"""Mail benchmark: prints figures, asserts nothing.

1. Deliveries per second of small messages (about 1 KB) to one user through a Deliverer that
   keeps the mail file open, and through one-shot `deliver()` calls (open, deliver, close: what
   each `vmsenv deliver` does, less the interpreter start).  Goal: 1,000 per second.
2. mbox import in MB/s of a generated mbox (default 200 MB; a mix of short text messages, longer
   ones and a few with large base64 attachments, some with `>From ` and `.` lines).  Goal: 50 MB/s.
3. The time to list a folder of 10,000 messages (MailFile.list, best and median of several runs).
   Goal: under 50 ms.

Usage: python bench/mail.py [--size MB] [--deliveries N] [--keep DIR]
Everything is made in a temporary directory (or DIR with --keep, left in place).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmsenv.mail import store as ms  # noqa: E402
from vmsenv.mail.deliver import Deliverer, SmtpConfig, deliver  # noqa: E402
from vmsenv.mail.mbox import import_mbox  # noqa: E402

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were their one all we can her has there been if more when "
         "will would who so no VMS MAIL folder node cluster queue symbiont logical name device "
         "startup procedure image privilege quota account mailbox terminal").split()


def small_message(i: int) -> bytes:
    body = b"".join(b"Line %d of a short message number %d, with some text in it.\n" % (k, i)
                    for k in range(14))
    return (b"From: Sender Number %d <sender%d@example.com>\n"
            b"To: smith@vms.example.com\n"
            b"Subject: benchmark message %d\n"
            b"Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
            b"Message-ID: <%d.bench@example.com>\n\n" % (i, i, i, i)) + body


def bench_deliveries(base: Path, count: int) -> None:
    users = base / "deliveries"
    users.mkdir()
    mapping = {"SMITH": users}
    config = SmtpConfig(host_name="vms.example.com")
    messages = [small_message(i) for i in range(count)]
    with Deliverer(mapping.get, config=config) as d:
        d.deliver(messages[0], "SMITH")
        start = time.perf_counter()
        for m in messages:
            d.deliver(m, "SMITH")
        elapsed = time.perf_counter() - start
    print(f"deliveries (open mail file):  {count / elapsed:9.0f} per second  "
          f"({count} messages of {len(messages[0])} bytes)")
    n = max(count // 4, 1)
    start = time.perf_counter()
    for m in messages[:n]:
        deliver(m, "SMITH", mail_directory=mapping.get, config=config)
    elapsed = time.perf_counter() - start
    print(f"deliveries (one-shot):        {n / elapsed:9.0f} per second")


def _text_lines(rng: random.Random, count: int) -> list[bytes]:
    lines = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 13))]
        line = " ".join(words)
        r = rng.random()
        if r < 0.01:
            line = "From " + line            # quoted as >From in the mbox
        elif r < 0.02:
            line = "." + line
        elif r < 0.03:
            line += " \xe9t\xe9 \xfcber"     # 8-bit text
        lines.append(line.encode("latin-1") + b"\n")
    return lines


def _b64_lines(rng: random.Random, count: int) -> list[bytes]:
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return [bytes(rng.choice(alphabet) for _ in range(76)) + b"\n" for _ in range(count)]


def generate_mbox(path: Path, size: int, seed: int = 1) -> int:
    """Write an mbox of about `size` bytes; the number of messages."""
    rng = random.Random(seed)
    text = _text_lines(rng, 4000)
    b64 = _b64_lines(rng, 1000)
    written = count = 0
    with open(path, "wb") as f:
        while written < size:
            count += 1
            r = rng.random()
            if r < 0.03:
                nlines, attach = rng.randint(20, 60), rng.randint(1500, 8000)
            elif r < 0.25:
                nlines, attach = rng.randint(150, 600), 0
            else:
                nlines, attach = rng.randint(10, 80), 0
            k = rng.randrange(len(text) - nlines) if nlines < len(text) else 0
            body = b"".join(text[k:k + nlines])
            body = body.replace(b"\nFrom ", b"\n>From ")
            if body.startswith(b"From "):
                body = b">" + body
            headers = (
                b"From sender%d@example.com Mon Jan  1 00:%02d:%02d 2024\n"
                b"Return-Path: <sender%d@example.com>\n"
                b"Received: from mx.example.com (mx.example.com [192.0.2.1])\n"
                b"\tby vms.example.com with ESMTP id %d; Mon, 1 Jan 2024 00:00:00 +0000\n"
                b"From: Sender %d <sender%d@example.com>\n"
                b"To: Smith <smith@vms.example.com>\n"
                b"Subject: message %d about %s\n"
                b"Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
                b"Message-ID: <%d.%d@example.com>\n"
                b"MIME-Version: 1.0\n" % (count, count // 60 % 60, count % 60, count, count,
                                          count, count, count, rng.choice(WORDS).encode(),
                                          count, seed))
            if attach:
                k = rng.randrange(len(b64))
                data = b"".join(b64[(k + j) % len(b64)] for j in range(attach))
                headers += b'Content-Type: multipart/mixed; boundary="b%d"\n\n' % count
                body = (b"--b%d\nContent-Type: text/plain\n\n" % count + body
                        + b"--b%d\nContent-Type: application/octet-stream\n"
                          b"Content-Transfer-Encoding: base64\n\n" % count
                        + data + b"--b%d--\n" % count)
            else:
                headers += b"Content-Type: text/plain; charset=ISO-8859-1\n\n"
            chunk = headers + body + b"\n"
            f.write(chunk)
            written += len(chunk)
    return count


def bench_import(base: Path, size_mb: float) -> None:
    mbox = base / "bench.mbox"
    start = time.perf_counter()
    count = generate_mbox(mbox, int(size_mb * 1024 * 1024))
    size = mbox.stat().st_size
    print(f"generated mbox:               {size / 1e6:9.1f} MB, {count} messages "
          f"({time.perf_counter() - start:.1f} s)")
    users = base / "import"
    users.mkdir()
    with Deliverer({"SMITH": users}.get, config=SmtpConfig(host_name="vms.example.com")) as d:
        result = import_mbox(mbox, "SMITH", d, progress=None)
        print(f"mbox import:                  {size / 1e6 / result.seconds:9.1f} MB/s  "
              f"({result.messages} messages, {result.seconds:.2f} s, "
              f"{len(result.failures)} not imported)")
        again = import_mbox(mbox, "SMITH", d, progress=None)
        print(f"mbox import again (no-op):    {size / 1e6 / again.seconds:9.1f} MB/s  "
              f"({again.present} already present, {again.messages} stored)")


def bench_list(base: Path, count: int = 10_000, runs: int = 7) -> None:
    folder = base / "list"
    folder.mkdir()
    mf = ms.MailFile(folder)
    msgs = [ms.NewMessage(b"x" * 2000, f'SMTP%"sender{i}@example.com"',
                          "Smith <smith@vms.example.com>", "",
                          f"a subject line of ordinary length, number {i}") for i in range(count)]
    mf.add_many(msgs)
    mf.close()
    mf = ms.MailFile(folder)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        listed = mf.list(ms.NEWMAIL)
        times.append(time.perf_counter() - start)
    mf.close()
    assert len(listed) == count
    print(f"list {count} messages:        {min(times) * 1000:9.1f} ms best, "
          f"{statistics.median(times) * 1000:.1f} ms median")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=200, help="mbox size in MB (200)")
    parser.add_argument("--deliveries", type=int, default=2000, help="small deliveries (2000)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.keep, args)
    else:
        with tempfile.TemporaryDirectory(prefix="vmsenv-mail-bench-") as tmp:
            run(Path(tmp), args)


def run(base: Path, args) -> None:
    bench_deliveries(base, args.deliveries)
    bench_list(base)
    bench_import(base, args.size)


if __name__ == "__main__":
    main()
