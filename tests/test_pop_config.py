"""TCPIP$POP_* logical names -> Settings (popserver.config)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from popserver import config as C
from popserver.config import LogLevel, Rewrite, Security
from vmsenv import filespec as fsp

PD = fsp.ProcessDefault("SYS$SYSDEVICE:", "[TCPIP$POP]")

# SSL$STARTUP defines SSL$ROOT concealed and the others on top of it; SYS$LOGIN of the
# TCPIP$POP account; CLUSTERDEV a concealed cluster-wide disk.
SSL_NAMES = {
    "SSL$ROOT": [("DKA0:[VMS$COMMON.SSL.]", fsp.CONCEALED | fsp.TERMINAL)],
    "SSL$CERTS": [("SSL$ROOT:[CERTS]", 0)],
    "SSL$KEY": [("SSL$ROOT:[PRIVATE]", 0)],
    "SYS$SYSDEVICE": [("DKA0:", fsp.CONCEALED)],
    "SYS$LOGIN": [("SYS$SYSDEVICE:[TCPIP$POP]", 0)],
    "CLUSTERDEV": [("DKA100:", fsp.CONCEALED)],
}


def read(values=None, translator=None):
    values = {("TCPIP$POP_" + k if not k.startswith("TCPIP$") else k): v
              for k, v in (values or {}).items()}
    return C.read_settings(values.get, translator=translator or SSL_NAMES.get,
                           process_default=PD)


def test_defaults():
    s = read()
    assert s.warnings == () and s.defined == frozenset()
    assert (s.security, s.log_level, s.decnet_rewrite, s.quoted_decnet_rewrite) == (
        Security.FRIENDLY, LogLevel.INFORMATIONAL, Rewrite.TRANSFORM, Rewrite.TRANSFORM)
    assert (s.message_maximum, s.link_idle_timeout, s.maximum_threads, s.sndbuf,
            s.ssl_port, s.postmaster) == (0, None, 15, None, 995, ())
    flags = ("disable_cleartext", "disable_ssl", "trace", "personal_name", "leave_in_newmail",
             "use_mail_folder", "fast_scan", "ignore_mail11_headers", "send_id_headers",
             "disuserpass", "purge_reclaim")
    assert not any(getattr(s, f) for f in flags)
    assert s.cert_file == "SSL$ROOT:[CERTS]SERVER.CRT;"
    assert s.key_file == "SSL$ROOT:[PRIVATE]SERVER.KEY;"


def test_every_name_is_read_exactly_once():
    asked = []

    def lookup(name):
        asked.append(name)
        return None
    C.read_settings(lookup, translator=SSL_NAMES.get, process_default=PD)
    pop = [n for n in asked if n.startswith("TCPIP$POP_")]
    assert sorted(pop) == sorted(C.LOGICAL_NAMES)
    assert len(pop) == len(set(pop)) == 23
    table_19_2 = {"SECURITY", "DISABLE_CLEARTEXT", "DISABLE_SSL", "CERT_FILE", "KEY_FILE",
                  "TRACE", "LOG_LEVEL", "POSTMASTER", "MESSAGE_MAXIMUM", "LINK_IDLE_TIMEOUT",
                  "PERSONAL_NAME", "LEAVE_IN_NEWMAIL", "USE_MAIL_FOLDER", "FAST_SCAN",
                  "MAXIMUM_THREADS", "IGNORE_MAIL11_HEADERS", "SEND_ID_HEADERS",
                  "DECNET_REWRITE", "QUOTED_DECNET_REWRITE", "SNDBUF", "DISUSERPASS",
                  "PURGE_RECLAIM"}
    assert {n.removeprefix("TCPIP$POP_") for n in pop} == table_19_2 | {"SSL_PORT"}


@pytest.mark.parametrize("name,value,attr,expected", [
    ("SECURITY", "SECURE", "security", Security.SECURE),
    ("SECURITY", " friendly ", "security", Security.FRIENDLY),
    ("SECURITY", "SEC", "security", Security.SECURE),
    ("DISABLE_CLEARTEXT", "1", "disable_cleartext", True),
    ("DISABLE_SSL", "TRUE", "disable_ssl", True),
    ("TRACE", "0", "trace", True),            # "If defined": any value turns it on
    ("LOG_LEVEL", "ERROR", "log_level", LogLevel.ERROR),
    ("LOG_LEVEL", "thread", "log_level", LogLevel.THREAD),
    ("LOG_LEVEL", "D", "log_level", LogLevel.DEBUG),
    ("LOG_LEVEL", "INFO", "log_level", LogLevel.INFORMATIONAL),
    ("POSTMASTER", "JONES, SMITH", "postmaster", ("JONES", "SMITH")),
    ("POSTMASTER", " SYSTEM ,, ", "postmaster", ("SYSTEM",)),
    ("MESSAGE_MAXIMUM", "0", "message_maximum", 0),
    ("MESSAGE_MAXIMUM", "65535", "message_maximum", 65535),
    ("MESSAGE_MAXIMUM", " 25 ", "message_maximum", 25),
    ("LINK_IDLE_TIMEOUT", "0 00:10:00.00", "link_idle_timeout", dt.timedelta(minutes=10)),
    ("LINK_IDLE_TIMEOUT", "0 00:05", "link_idle_timeout", dt.timedelta(minutes=5)),
    ("LINK_IDLE_TIMEOUT", "1-02:00:00", "link_idle_timeout", dt.timedelta(days=1, hours=2)),
    ("LINK_IDLE_TIMEOUT", "0 00:00:00.00", "link_idle_timeout", None),
    ("PERSONAL_NAME", "YES", "personal_name", True),
    ("LEAVE_IN_NEWMAIL", "1", "leave_in_newmail", True),
    ("USE_MAIL_FOLDER", "1", "use_mail_folder", True),
    ("FAST_SCAN", "1", "fast_scan", True),
    ("MAXIMUM_THREADS", "1", "maximum_threads", 1),
    ("MAXIMUM_THREADS", "31", "maximum_threads", 31),
    ("IGNORE_MAIL11_HEADERS", "1", "ignore_mail11_headers", True),
    ("SEND_ID_HEADERS", "1", "send_id_headers", True),
    ("DECNET_REWRITE", "GENERIC", "decnet_rewrite", Rewrite.GENERIC),
    ("DECNET_REWRITE", "none", "decnet_rewrite", Rewrite.NONE),
    ("QUOTED_DECNET_REWRITE", "G", "quoted_decnet_rewrite", Rewrite.GENERIC),
    ("QUOTED_DECNET_REWRITE", "TRANSFORM", "quoted_decnet_rewrite", Rewrite.TRANSFORM),
    ("SNDBUF", "512", "sndbuf", 512),
    ("SNDBUF", "65536", "sndbuf", 65536),
    ("DISUSERPASS", "1", "disuserpass", True),
    ("PURGE_RECLAIM", "1", "purge_reclaim", True),
    ("SSL_PORT", "21995", "ssl_port", 21995),
])
def test_each_name(name, value, attr, expected):
    s = read({name: value})
    assert getattr(s, attr) == expected
    assert s.warnings == ()
    assert s.defined == {"TCPIP$POP_" + name}


@pytest.mark.parametrize("name,value,attr,reason", [
    ("MESSAGE_MAXIMUM", "many", "message_maximum", "not a number"),
    ("MESSAGE_MAXIMUM", "-1", "message_maximum", "not a number"),
    ("MESSAGE_MAXIMUM", "65536", "message_maximum", "above the maximum of 65535"),
    ("MESSAGE_MAXIMUM", "", "message_maximum", "not a number"),
    ("SNDBUF", "511", "sndbuf", "below the minimum of 512"),
    ("SNDBUF", "%X1000", "sndbuf", "not a number"),
    ("MAXIMUM_THREADS", "0", "maximum_threads", "below the minimum of 1"),
    ("MAXIMUM_THREADS", "1.5", "maximum_threads", "not a number"),
    ("MAXIMUM_THREADS", "\u0663", "maximum_threads", "not a number"),
    ("SSL_PORT", "70000", "ssl_port", "above the maximum of 65535"),
    ("LINK_IDLE_TIMEOUT", "ten minutes", "link_idle_timeout", "not a valid delta time"),
    ("LINK_IDLE_TIMEOUT", "0 25:00:00", "link_idle_timeout", "not a valid delta time"),
    ("SECURITY", "PARANOID", "security", "unknown keyword (one of FRIENDLY, SECURE)"),
    ("LOG_LEVEL", "VERBOSE", "log_level",
     "unknown keyword (one of ERROR, INFORMATIONAL, THREAD, DEBUG)"),
    ("DECNET_REWRITE", "", "decnet_rewrite", "no keyword given"),
    ("QUOTED_DECNET_REWRITE", "SMTP", "quoted_decnet_rewrite",
     "unknown keyword (one of GENERIC, NONE, TRANSFORM)"),
])
def test_bad_values_warn_and_use_the_default(name, value, attr, reason):
    s = read({name: value})
    assert getattr(s, attr) == getattr(C.Settings(), attr)
    (w,) = s.warnings
    assert (w.name, w.value, w.reason) == ("TCPIP$POP_" + name, value, reason)
    assert str(w).startswith(f'TCPIP$POP_{name} = "{value}": {reason}; using the default (')


def test_warning_text_and_several_bad_values():
    s = read({"SNDBUF": "100", "MAXIMUM_THREADS": "lots", "TRACE": "1"})
    assert [str(w) for w in s.warnings] == [
        'TCPIP$POP_MAXIMUM_THREADS = "lots": not a number; using the default (15)',
        'TCPIP$POP_SNDBUF = "100": below the minimum of 512; using the default (system default)',
    ]
    assert s.trace and s.maximum_threads == 15 and s.sndbuf is None


def test_keyword_abbreviation_rules():
    assert C.keyword("tr", ("GENERIC", "NONE", "TRANSFORM")) == "TRANSFORM"
    with pytest.raises(C.BadValue, match="ambiguous"):
        C.keyword("TH", ("THREAD", "THROTTLE"))
    assert C.keyword("THREAD", ("THREAD", "THREADS")) == "THREAD"


# ------------------------------------------------------------------ CERT_FILE / KEY_FILE
@pytest.mark.parametrize("value,cert,key", [
    # The manual's three examples (19.5.3). Its table shows the merge before translation
    # (SSL$CERTS:TCPIP$POP.CRT ...); $PARSE shows it up to the first concealed name.
    ("TCPIP$POP", "SSL$ROOT:[CERTS]TCPIP$POP.CRT;", "SSL$ROOT:[PRIVATE]TCPIP$POP.KEY;"),
    ("SYS$LOGIN:SSL", "SYS$SYSDEVICE:[TCPIP$POP]SSL.CRT;", "SYS$SYSDEVICE:[TCPIP$POP]SSL.KEY;"),
    ("CLUSTERDEV:[CERTS]", "CLUSTERDEV:[CERTS]SERVER.CRT;", "CLUSTERDEV:[CERTS]SERVER.KEY;"),
    # more: a full specification, a type only, a version
    ("DKA0:[X]MY.PEM", "DKA0:[X]MY.PEM;", "DKA0:[X]MY.PEM;"),
    (".PEM", "SSL$ROOT:[CERTS]SERVER.PEM;", "SSL$ROOT:[PRIVATE]SERVER.PEM;"),
])
def test_cert_and_key_files(value, cert, key):
    s = read({"CERT_FILE": value, "KEY_FILE": value})
    assert (s.cert_file, s.key_file) == (cert, key)
    assert s.warnings == ()
    for text, default in ((s.cert_file, "SSL$CERTS:SERVER.CRT"), (s.key_file, "SSL$KEY:SERVER.KEY")):
        parsed = fsp.parse(text)
        given = fsp.parse(value)
        assert parsed.name == (given.name or fsp.parse(default).name)


def test_cert_file_through_lookup_and_uninstalled_ssl():
    values = {"TCPIP$POP_CERT_FILE": "TCPIP$POP", "SSL$CERTS": "DKA0:[SSL.CERTS]"}
    s = C.read_settings(values.get, process_default=PD)
    assert s.cert_file == "DKA0:[SSL.CERTS]TCPIP$POP.CRT;"
    # no SSL logical names: $PARSE keeps the device name and the process default directory
    assert s.key_file == "SSL$KEY:[TCPIP$POP]SERVER.KEY;"


def test_cert_file_that_is_a_logical_name():
    names = dict(SSL_NAMES, MYCERT=[("DKB0:[WEB]SITE.PEM", 0)])
    s = read({"CERT_FILE": "MYCERT"}, translator=names.get)
    assert s.cert_file == "DKB0:[WEB]SITE.PEM;"


def test_bad_cert_file_spec():
    s = read({"CERT_FILE": "A B C", "KEY_FILE": "[unclosed"})
    assert (s.cert_file, s.key_file) == ("SSL$ROOT:[CERTS]SERVER.CRT;",
                                         "SSL$ROOT:[PRIVATE]SERVER.KEY;")
    assert [(w.name, w.reason) for w in s.warnings] == [
        ("TCPIP$POP_CERT_FILE", "not a valid file specification"),
        ("TCPIP$POP_KEY_FILE", "not a valid file specification")]


# ------------------------------------------------------------------ startup listing
def test_lines():
    s = read({"LOG_LEVEL": "DEBUG", "SNDBUF": "1", "POSTMASTER": "JONES, SMITH"})
    lines = s.lines()
    assert len(lines) == 23
    assert "TCPIP$POP_LOG_LEVEL: DEBUG" in lines
    assert "TCPIP$POP_SECURITY: FRIENDLY (default)" in lines
    assert "TCPIP$POP_SNDBUF: system default (default; the defined value was refused)" in lines
    assert "TCPIP$POP_POSTMASTER: JONES, SMITH" in lines
    assert "TCPIP$POP_MESSAGE_MAXIMUM: 0 (no maximum) (default)" in lines
    assert "TCPIP$POP_LINK_IDLE_TIMEOUT: none (default)" in lines
    assert "TCPIP$POP_CERT_FILE: SSL$ROOT:[CERTS]SERVER.CRT; (default)" in lines
    assert read({"LINK_IDLE_TIMEOUT": "0 00:10"}).lines()[9] == \
        "TCPIP$POP_LINK_IDLE_TIMEOUT: 0 00:10:00.00"


def test_settings_are_frozen():
    s = read()
    with pytest.raises(AttributeError):
        s.trace = True  # type: ignore[misc]


# ------------------------------------------------------------------ extensions
def test_the_only_logical_name_extension_is_ssl_port():
    """Issue 6: the emulator's extensions are the service database's port and
    TCPIP$POP_SSL_PORT, nothing else; a TCPIP$POP_AUTH_CACHE_SECONDS is not a setting."""
    asked = []

    def lookup(name):
        asked.append(name)
        return "0"
    C.read_settings(lookup, translator=SSL_NAMES.get, process_default=PD)
    assert "TCPIP$POP_AUTH_CACHE_SECONDS" not in asked
    assert "TCPIP$POP_AUTH_CACHE_SECONDS" not in C.LOGICAL_NAMES
    s = read({"AUTH_CACHE_SECONDS": "0"})
    assert s.defined == frozenset() and s.warnings == ()
    assert not hasattr(s, "auth_cache_seconds")
    assert not any("AUTH_CACHE" in line for line in s.lines())
    assert [n.suffix for n in C.NAMES if "extension" in n.doc] == ["SSL_PORT"]
    assert "AUTH_CACHE" not in (C.__doc__ or "")


def test_readme_names_the_two_extensions():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme.split())
    sentences = [s for s in re.split(r"(?<=\.) ", text) if "emulator extension" in s]
    assert len(sentences) == 1, sentences
    sentence = sentences[0]
    assert "two emulator extensions" in sentence
    assert "TCPIP SET SERVICE POP /PORT" in sentence
    assert re.findall(r"TCPIP\$POP_\w+", sentence) == ["TCPIP$POP_SSL_PORT"]
    assert "AUTH_CACHE" not in readme
