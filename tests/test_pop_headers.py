"""Header rebuilding (popserver.headers): every example of manual section 19.1.6, exactly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from popserver import config as cfgmod
from popserver import headers as H
from popserver import protocol as P
from popserver.config import Rewrite

ARRIVAL = dt.datetime(2026, 11, 29, 11, 25, 0, 120000)   # a Sunday


def env(local="orders.acme.widgets.com", substitute=None, aliases=(), nodes=None, **kw):
    nodes = nodes or {}
    return H.HostEnvironment(local_host=local, substitute_domain=substitute,
                             local_aliases=frozenset(aliases),
                             node_to_host=lambda n: nodes.get(n.upper()), **kw)


def policy(**kw):
    return H.HeaderPolicy(**kw)


def from_line(vms_from, pol=None, host=None):
    return "From: " + H.from_value(vms_from, pol or policy(), host or env())


# ------------------------------------------------------------------ 19.1.6.1.1 SMTP
def test_smtp_address():
    assert from_line('SMTP%"james.jones@federation.gov"') == "From: james.jones@federation.gov"


def test_smtp_cent_signs_back_to_quotes():
    # The manual prints "ABCMTS::MRGATE::\"ABCDEF::VIVALDI\""@xyz.org" (blank lost, stray
    # quote at the end): typos. The rule itself keeps the blank and adds nothing.
    vms = 'SMTP%"\u00a2ABCMTS::MRGATE::\\\u00a2ABCDEF::VIVALDI \\\u00a2\u00a2@xyz.org"'
    assert from_line(vms) == 'From: "ABCMTS::MRGATE::\\"ABCDEF::VIVALDI \\""@xyz.org'


def test_smtp_prefix_is_case_blind_and_unquoted_form():
    assert from_line('smtp%"a@b.c"') == "From: a@b.c"
    assert from_line("SMTP%a@b.c") == "From: a@b.c"


# ------------------------------------------------------------------ 19.1.6.1.2 DECnet
def test_decnet_generic():
    pol = policy(decnet_rewrite=Rewrite.GENERIC)
    assert from_line("ORDERS::J_SMITH", pol, env(local="widgets.xyzcorp.com")) == \
        'From: "ORDERS::J_SMITH"@widgets.xyzcorp.com'


def test_decnet_none():
    pol = policy(decnet_rewrite=Rewrite.NONE)
    assert from_line("ORDERS::J_SMITH", pol) == "From: ORDERS::J_SMITH"


NODES = {"ORDERS": "orders.acme.widgets.com", "HOST12": "host12.acme.widgets.com"}


def test_decnet_transform_local_without_substitute_domain():
    assert from_line("ORDERS::J_SMITH", host=env(nodes=NODES)) == \
        "From: j_smith@orders.acme.widgets.com"


def test_decnet_transform_local_with_substitute_domain():
    host = env(nodes=NODES, substitute="acme.widgets.com")
    assert from_line("ORDERS::J_SMITH", host=host) == "From: j_smith@acme.widgets.com"


def test_decnet_transform_not_local():
    host = env(nodes=NODES, substitute="acme.widgets.com")
    assert from_line("HOST12::J_JONES", host=host) == "From: j_jones@host12.acme.widgets.com"


def test_decnet_transform_no_translation():
    assert from_line("HOST13::J_JONES", host=env(nodes=NODES)) == \
        'From: "HOST13::J_JONES"@orders.acme.widgets.com'


def test_decnet_transform_local_alias():
    host = env(nodes={"MAILHB": "mailhub.acme.widgets.com"}, substitute="acme.widgets.com",
               aliases={"MailHub.acme.widgets.com"})
    assert from_line("MAILHB::Pat", host=host) == "From: pat@acme.widgets.com"


# ------------------------------------------------------------------ 19.1.6.1.3 user name only
def test_user_name_only():
    assert from_line("Smith", host=env(substitute="acme.widgets.com")) == \
        "From: smith@acme.widgets.com"
    assert from_line("SMITH") == "From: smith@orders.acme.widgets.com"


# ------------------------------------------------------------------ 19.1.6.1.4 quoted DECnet
def test_quoted_decnet_generic():
    # The manual prints "ORDER::..." for ORDERS: a typo; the node is kept as written.
    pol = policy(quoted_decnet_rewrite=Rewrite.GENERIC)
    assert from_line('ORDERS::"j_smith@acme.com"', pol, env(local="widgets.xyzcorp.com")) == \
        'From: "ORDERS::\\"j_smith@acme.com\\""@widgets.xyzcorp.com'


def test_quoted_decnet_none():
    pol = policy(quoted_decnet_rewrite=Rewrite.NONE)
    assert from_line('ORDERS::"j_smith@acme.com"', pol) == 'From: ORDERS::"j_smith@acme.com"'


def test_quoted_decnet_transform():
    assert from_line('ORDERS::"j.smith@acme.com"') == "From: j.smith@acme.com"


# ------------------------------------------------------------------ 19.1.6.1.5 cluster forwarding
def test_cluster_forwarding():
    assert from_line('ABCDEF::SMTP%"james.jones@federation.gov"') == \
        "From: james.jones@federation.gov"


# ------------------------------------------------------------------ 19.1.6.1.6 all others
def test_all_other_forms():
    assert from_line('ABCMTS::MRGATE::"ORDERS::SPECIAL"', host=env(substitute="xyz.org")) == \
        'From: "ABCMTS::MRGATE::\\"ORDERS::SPECIAL\\""@xyz.org'
    assert from_line("A::B::USER") == 'From: "A::B::USER"@orders.acme.widgets.com'
    assert from_line('NODE::"no at sign"') == \
        'From: "NODE::\\"no at sign\\""@orders.acme.widgets.com'


def test_classify():
    K = H.Kind
    cases = {'SMTP%"a@b"': K.SMTP, 'X::SMTP%"a@b"': K.CLUSTER_SMTP, 'X::"a@b"': K.QUOTED_DECNET,
             "X::USER": K.DECNET, "USER": K.USER, 'A::B::"C"': K.OTHER, 'X::"ab"': K.OTHER,
             "a@b": K.OTHER, "": K.OTHER}
    for address, kind in cases.items():
        assert H.classify(address) is kind, address


# ------------------------------------------------------------------ personal names
def test_split_from():
    assert H.split_from('ORDERS::J_SMITH      "John Smith"') == ("ORDERS::J_SMITH", "John Smith")
    assert H.split_from('SMTP%"a b@c.d" "Q ""x"" R"') == ('SMTP%"a b@c.d"', 'Q "x" R')
    assert H.split_from("  JONES  ") == ("JONES", None)
    assert H.split_from('JONES ""') == ("JONES", None)


def test_personal_name():
    host = env(nodes=NODES)
    vms = 'ORDERS::J_SMITH "Smith, John (Orders)"'
    assert from_line(vms, policy(), host) == "From: j_smith@orders.acme.widgets.com"
    assert from_line(vms, policy(personal_name=True), host) == \
        "From: j_smith@orders.acme.widgets.com (Smith, John \\(Orders\\))"
    assert from_line("ORDERS::J_SMITH", policy(personal_name=True), host) == \
        "From: j_smith@orders.acme.widgets.com"


# ------------------------------------------------------------------ whole header blocks
def vms(from_='ORDERS::J_SMITH "John Smith"', to="JONES", cc="", subject="Parts list"):
    return H.VmsHeaders(from_, to, cc, subject, ARRIVAL)


def test_rfc822_date():
    assert H.rfc822_date(ARRIVAL, None) == "Sun, 29 Nov 2026 11:25:00 -0000"
    assert H.rfc822_date(ARRIVAL, ZoneInfo("Europe/Amsterdam")) == \
        "Sun, 29 Nov 2026 11:25:00 +0100"
    assert H.rfc822_date(dt.datetime(2026, 7, 4, 9, 5, 3), ZoneInfo("America/New_York")) == \
        "Sat, 04 Jul 2026 09:05:03 -0400"
    assert H.rfc822_date(ARRIVAL, dt.timezone(dt.timedelta(hours=5, minutes=30))) == \
        "Sun, 29 Nov 2026 11:25:00 +0530"


def test_build_headers_default():
    host = env(nodes=NODES, tz=dt.timezone.utc)
    assert H.build_headers(vms(), policy(), host, "JONES.1") == [
        "Date: Sun, 29 Nov 2026 11:25:00 +0000",
        "From: j_smith@orders.acme.widgets.com",
        "To: JONES",
        "Subject: Parts list",
        'X-VMS-From: ORDERS::J_SMITH "John Smith"',
    ]


def test_build_headers_cc_id_headers_and_empty_fields():
    host = env(nodes=NODES)
    pol, warnings = H.policy_from_settings(
        cfgmod.read_settings({"TCPIP$POP_SEND_ID_HEADERS": "1",
                              "TCPIP$POP_PERSONAL_NAME": "1"}.get), host, P.VERSION)
    assert warnings == []
    lines = H.build_headers(vms(cc='SMTP%"x@y.z", BROWN', subject=""), pol, host,
                            "JONES.20261129112500120000")
    assert lines == [
        "Date: Sun, 29 Nov 2026 11:25:00 -0000",
        "From: j_smith@orders.acme.widgets.com (John Smith)",
        "To: JONES",
        'CC: SMTP%"x@y.z", BROWN',
        'X-VMS-From: ORDERS::J_SMITH "John Smith"',
        "X-POP3-Server: orders.acme.widgets.com POP server vmsenv Version 0.1",
        "X-POP3-ID: JONES.20261129112500120000",
    ]
    assert H.build_headers(vms(from_="", to="", subject=""), policy(), host, "u")[1:] == [
        "To:", "X-VMS-From:"]


BODY = (b"Received: from mail.federation.gov\r\n\tby orders.acme.widgets.com\r\n"
        b"From: James Jones <james.jones@federation.gov>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain\r\n\r\nHello.\r\n")


def ignore_policy(top_headers=True, **more):
    settings = cfgmod.read_settings({"TCPIP$POP_IGNORE_MAIL11_HEADERS": "1", **more}.get)
    return H.policy_from_settings(settings, env(smtp_top_headers=top_headers), P.VERSION)


def test_ignore_mail11_headers_all_three_conditions():
    pol, warnings = ignore_policy()
    assert warnings == [] and pol.use_body_headers
    msg = H.build_message(vms(from_='SMTP%"james.jones@federation.gov"'), BODY, uid="U",
                          policy=pol, host=env())
    assert msg.header_lines == ("Received: from mail.federation.gov",
                                "\tby orders.acme.widgets.com",
                                "From: James Jones <james.jones@federation.gov>",
                                "MIME-Version: 1.0", "Content-Type: text/plain")
    assert msg.body == b"Hello.\r\n"
    framed = P.frame_message(msg.header_lines, msg.body)
    assert framed == BODY
    cluster = H.build_message(vms(from_='NODE::SMTP%"j@f.gov"'), BODY, uid="U", policy=pol,
                              host=env())
    assert cluster.header_lines[0].startswith("Received:")


def test_ignore_mail11_headers_not_smtp_or_no_block():
    pol, _ = ignore_policy()
    msg = H.build_message(vms(), BODY, uid="U", policy=pol, host=env(nodes=NODES))
    assert msg.header_lines[1] == "From: j_smith@orders.acme.widgets.com"
    assert msg.body == BODY
    plain = b"Just text, no headers.\nMore.\n"
    msg = H.build_message(vms(from_='SMTP%"a@b.c"'), plain, uid="U", policy=pol, host=env())
    assert msg.header_lines[1] == "From: a@b.c" and msg.body == plain


def test_ignore_mail11_headers_without_top_headers_warns():
    pol, warnings = ignore_policy(top_headers=False)
    assert not pol.use_body_headers
    assert warnings == [H.IGNORE_WARNING]
    msg = H.build_message(vms(from_='SMTP%"a@b.c"'), BODY, uid="U", policy=pol, host=env())
    assert msg.header_lines[1] == "From: a@b.c" and msg.body == BODY


def test_ignore_mail11_headers_with_id_headers():
    pol, _ = ignore_policy(**{"TCPIP$POP_SEND_ID_HEADERS": "1"})
    msg = H.build_message(vms(from_='SMTP%"a@b.c"'), BODY, uid="UID9", policy=pol, host=env())
    assert msg.header_lines[-2:] == (
        "X-POP3-Server: orders.acme.widgets.com POP server vmsenv Version 0.1",
        "X-POP3-ID: UID9")


def test_body_headers_parser():
    assert H.body_headers(b"A: 1\nB:2\n\nrest\n") == (["A: 1", "B:2"], b"rest\n")
    assert H.body_headers(b"A: 1\r\n") == (["A: 1"], b"")
    assert H.body_headers(b"\nA: 1\n") is None
    assert H.body_headers(b" cont\nA: 1\n\n") is None
    assert H.body_headers(b"A: 1\nnot a header\n\n") is None
    assert H.body_headers(b"") is None
    assert H.body_headers(b"Subject: caf\xe9\n\nx") == (["Subject: caf\u00e9"], b"x")


def test_foreign_message():
    msg = H.build_message(vms(), b"\x00\x01binary", uid="U", policy=policy(),
                          host=env(nodes=NODES), foreign=True)
    assert msg.body == H.FOREIGN_NOTE
    assert msg.header_lines[1] == "From: j_smith@orders.acme.widgets.com"
    assert b"MAIL folder" in msg.body and b"EXTRACT" in msg.body


@pytest.mark.parametrize("mode", list(Rewrite))
def test_policy_from_settings_rewrites(mode):
    settings = cfgmod.read_settings({"TCPIP$POP_DECNET_REWRITE": mode.value,
                                     "TCPIP$POP_QUOTED_DECNET_REWRITE": mode.value}.get)
    pol, _ = H.policy_from_settings(settings, env(), "9.9")
    assert pol.decnet_rewrite is mode and pol.quoted_decnet_rewrite is mode
    assert pol.server_id == "orders.acme.widgets.com POP server vmsenv Version 9.9"
