"""SYSUAF: records, hashed passwords, the password check, UIC identifiers, default accounts."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from vmsenv import condition as C
from vmsenv import root as rootmod
from vmsenv import uaf
from vmsenv.condition import VMSError
from vmsenv.process import ALL_PRIVILEGES, Process

NOW = dt.datetime(2026, 11, 29, 11, 25)


@pytest.fixture
def sysroot(root):
    uaf.ensure_defaults(root)
    return root


def raw_bytes(root) -> bytes:
    return b"".join(p.read_bytes() for p in uaf.database_paths(root) if p.exists())


# ------------------------------------------------------------------------------ defaults
def test_privilege_names_are_the_process_ones():
    assert set(uaf.PRIVILEGES) == set(ALL_PRIVILEGES)
    assert len(uaf.PRIVILEGES) == len(ALL_PRIVILEGES)


def test_ensure_defaults_makes_system_default_and_pop(sysroot):
    system = uaf.get(sysroot, "system")
    assert system.uic == (1, 4)
    assert system.authorized == frozenset(ALL_PRIVILEGES)
    assert system.default_privileges == frozenset(ALL_PRIVILEGES)
    assert system.login_spec == "SYS$SYSROOT:[SYSMGR]"
    assert system.owner == "SYSTEM MANAGER"
    default = uaf.get(sysroot, "DEFAULT")
    assert default.uic == (0o200, 0o200) and "DISUSER" in default.flags
    pop = uaf.get(sysroot, "TCPIP$POP")
    assert pop.uic == (0o3655, 2)
    assert pop.login_spec == "SYS$SYSDEVICE:[TCPIP$POP]"
    assert "RESTRICTED" in pop.flags and "DISUSER" not in pop.flags
    assert uaf.uic_names(sysroot, pop.uic) == "[TCPIP$AUX,TCPIP$POP]"
    assert uaf.uic_names(sysroot, (1, 4)) == "[SYSTEM]"
    assert (sysroot.sysdevice / "tcpip$pop").is_dir()
    assert not any(a.has_password for a in uaf.accounts(sysroot))


def test_ensure_defaults_is_idempotent_and_keeps_changes(sysroot):
    uaf.modify(sysroot, "TCPIP$POP", {"owner": "POP SERVER"})
    gen = sysroot.store.generation.read()
    uaf.ensure_defaults(sysroot)
    assert sysroot.store.generation.read() == gen      # nothing to do: no transaction
    assert uaf.get(sysroot, "TCPIP$POP").owner == "POP SERVER"
    assert [a.username for a in uaf.accounts(sysroot)] == ["DEFAULT", "SYSTEM", "TCPIP$POP"]
    uaf.remove(sysroot, "TCPIP$POP")
    uaf.ensure_defaults(sysroot)
    assert uaf.get(sysroot, "TCPIP$POP").owner == "TCPIP$POP"


def test_records_are_shared_between_roots_opened_on_one_path(sysroot):
    other = rootmod.Root(sysroot.path)
    uaf.add(other, "JOE", {"uic": (0o200, 1)})
    assert uaf.get(sysroot, "joe").uic == (0o200, 1)


# ------------------------------------------------------------------------------ records
def test_add_copies_default_and_names_are_case_blind(sysroot):
    notes = uaf.add(sysroot, "joe", {"uic": (0o200, 1), "owner": "Joe"})
    assert [n.status for n in notes] == [C.UAF_RDBADDMSGU]
    assert notes[0].lines() == [
        "%UAF-I-RDBADDMSGU, identifier JOE value [000200,000001] added to rights database"]
    joe = uaf.get(sysroot, "Joe")
    assert joe.username == "JOE" and joe.owner == "Joe"
    assert "DISUSER" in joe.flags                   # from DEFAULT, as VMS
    assert joe.login_spec == "SYS$SYSDEVICE:[USER]"
    with pytest.raises(VMSError) as err:
        uaf.add(sysroot, "JOE", {"uic": (0o200, 2)})
    assert err.value.status == C.UAF_UAEERR


@pytest.mark.parametrize("name", ["", "ABCDEFGHIJKLM", "JOE SMITH", "JOE.X", "J*"])
def test_invalid_user_names(sysroot, name):
    with pytest.raises(VMSError) as err:
        uaf.add(sysroot, name, {})
    assert err.value.status == C.UAF_INVUSR


def test_add_makes_a_group_identifier_from_the_account(sysroot):
    notes = uaf.add(sysroot, "ANN", {"uic": (0o300, 1), "account": "DOC"})
    assert [n.lines()[0] for n in notes] == [
        "%UAF-I-RDBADDMSGU, identifier DOC value [000300,177777] added to rights database",
        "%UAF-I-RDBADDMSGU, identifier ANN value [000300,000001] added to rights database"]
    assert uaf.uic_names(sysroot, (0o300, 1)) == "[DOC,ANN]"
    notes = uaf.add(sysroot, "BOB", {"uic": (0o300, 2), "account": "DOC"})
    assert len(notes) == 1


def test_duplicate_identifier_value(sysroot):
    notes = uaf.add(sysroot, "TWIN", {"uic": (1, 4)})
    assert notes[0].lines() == [
        "%UAF-E-RDBADDERRU, unable to add TWIN value [000001,000004] to rights database",
        "-SYSTEM-F-DUPIDENT, duplicate identifier"]
    assert uaf.get(sysroot, "TWIN").uic == (1, 4)


def test_modify_edits_sets_left_to_right_and_moves_identifier(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1)})
    notes = uaf.modify(sysroot, "JOE", {
        "authorized": ((False, "ALL"), (True, "OPER"), (True, "TMPMBX")),
        "flags": ((False, "DISUSER"), (True, "DISMAIL")),
        "uic": (0o200, 7)})
    joe = uaf.get(sysroot, "JOE")
    assert joe.authorized == {"OPER", "TMPMBX"}
    assert joe.flags == {"DISMAIL"}
    assert [n.lines()[0] for n in notes] == ["%UAF-I-RDBMDFYMSG, identifier JOE modified"]
    assert uaf.identifier_name(sysroot, (0o200, 7)) == "JOE"
    with pytest.raises(VMSError) as err:
        uaf.modify(sysroot, "NOBODY", {"owner": "x"})
    assert err.value.status == C.UAF_BADUSR


def test_copy_and_remove(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "secret", "owner": "Joe"})
    notes = uaf.copy(sysroot, "JOE", "ANN", {"uic": (0o200, 2)})
    assert [n.status for n in notes] == [C.UAF_DEFPWD, C.UAF_RDBADDMSGU]
    ann = uaf.get(sysroot, "ANN")
    assert ann.owner == "Joe" and not ann.has_password
    notes = uaf.remove(sysroot, "ANN")
    assert notes[0].lines() == [
        "%UAF-I-RDBREMMSGU, identifier ANN value [000200,000002] removed from rights database"]
    assert uaf.get(sysroot, "ANN") is None and uaf.identifier_name(sysroot, (0o200, 2)) is None
    with pytest.raises(VMSError):
        uaf.remove(sysroot, "ANN")


def test_find_by_name_pattern_and_uic(sysroot):
    for name, uic in (("JOE", (0o200, 1)), ("JOAN", (0o200, 2)), ("ANN", (0o300, 1))):
        uaf.add(sysroot, name, {"uic": uic})
    assert [a.username for a in uaf.find(sysroot, "JO*")] == ["JOAN", "JOE"]
    assert [a.username for a in uaf.find(sysroot, "J%E")] == ["JOE"]
    assert [a.username for a in uaf.find(sysroot, "[200,*]")] == ["JOE", "JOAN", "DEFAULT"]
    assert [a.username for a in uaf.find(sysroot, "[*,1]")] == ["JOE", "ANN"]
    assert uaf.find(sysroot, "NOBODY") == []


@pytest.mark.parametrize("text", ["200,1", "[200]", "[8,1]", "[0,1]", "[40000,1]",
                                  "[1,200000]", "[a,b]"])
def test_bad_uics(text):
    with pytest.raises(VMSError) as err:
        uaf.parse_uic(text)
    assert err.value.status == C.CLI_INVUIC


def test_failed_change_leaves_nothing(sysroot):
    with pytest.raises(VMSError):
        uaf.add(sysroot, "BAD", {"uic": (0o200, 9), "password": "x" * 33})
    assert uaf.get(sysroot, "BAD") is None
    assert uaf.identifier_name(sysroot, (0o200, 9)) is None


# ------------------------------------------------------------------------------ passwords
def test_stored_form_never_holds_the_password(sysroot):
    secret = "Zq7Secret"
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": secret,
                             "flags": ((False, "DISUSER"),)})
    uaf.add(sysroot, "MIX", {"uic": (0o200, 2), "password": "MiXeD$Pass9",
                             "flags": ((True, "PWDMIX"), (False, "DISUSER"))})
    uaf.set_password(sysroot, "SYSTEM", "ManagerPw")
    data = raw_bytes(sysroot)
    for word in (secret, "MiXeD$Pass9", "ManagerPw"):
        for form in (word, word.upper(), word.lower()):
            assert form.encode() not in data
            assert form.encode("utf-16-le") not in data
    row = sysroot.store.db.execute("SELECT pwd FROM uaf WHERE username = 'JOE'").fetchone()[0]
    assert row.startswith("scrypt$U$16384$8$1$")
    assert uaf.check_password(sysroot, "joe", secret.lower()).ok


def test_hashes_are_salted():
    a, b = uaf.hash_password("same"), uaf.hash_password("same")
    assert a != b
    assert uaf.verify_password(a, "SAME") and uaf.verify_password(b, "same")
    assert not uaf.verify_password(a, "other")
    assert not uaf.verify_password(None, "same")
    assert not uaf.verify_password("garbage", "same")


def _reference_key(text: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(text.encode("utf-8"))


@pytest.mark.parametrize("text,salt,n,r,p", [
    ("SECRET1", bytes(range(16)), 2 ** 14, 8, 1),          # the parameters in use
    ("MiXeD!pw", b"\xff" * 16, 2 ** 4, 8, 1),
    ("\u00e9t\u00e9", b"salt", 2 ** 6, 2, 3),
    ("", b"", 2, 1, 1),
])
def test_derive_gives_the_cryptography_keys(text, salt, n, r, p):
    assert uaf._derive(text, salt, n, r, p) == _reference_key(text, salt, n, r, p)


def test_derive_known_answer():
    # RFC 7914, section 12, second vector (64-byte key there; the first 32 bytes here).
    assert uaf._derive("password", b"NaCl", 1024, 8, 16).hex() == \
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"


def test_stored_hashes_stay_valid():
    # Made by the earlier implementation (cryptography's Scrypt) with a fixed salt.
    salt = bytes(range(16))
    key = _reference_key("SECRET1", salt, 2 ** 14, 8, 1)
    stored = "$".join(("scrypt", "U", "16384", "8", "1",
                       base64.b64encode(salt).decode(), base64.b64encode(key).decode()))
    assert uaf.verify_password(stored, "secret1")
    assert not uaf.verify_password(stored, "secret2")


def test_derive_beyond_hashlibs_memory_uses_cryptography(monkeypatch):
    calls = []
    real = uaf.hashlib.scrypt
    monkeypatch.setattr(uaf.hashlib, "scrypt", lambda *a, **k: calls.append(k) or real(*a, **k))
    expected = _reference_key("PW", b"s" * 16, 2 ** 5, 8, 1)
    assert uaf._derive("PW", b"s" * 16, 2 ** 5, 8, 1) == expected
    assert calls and calls[0]["maxmem"] == uaf.SCRYPT_MAXMEM
    calls.clear()
    monkeypatch.setattr(uaf, "_HASHLIB_MAXMEM_LIMIT", 1000)       # 2**5 needs 34,816 bytes
    assert uaf._derive("PW", b"s" * 16, 2 ** 5, 8, 1) == expected
    assert calls == []


@pytest.mark.parametrize("n,r,p", [(3, 8, 1), (1, 8, 1), (0, 8, 1), (16, 0, 1), (16, 8, 0),
                                   (16, -1, 1)])
def test_derive_refuses_bad_parameters(n, r, p):
    with pytest.raises(ValueError):
        uaf._derive("x", b"salt", n, r, p)


def test_derive_lets_other_threads_run():
    import threading
    import time
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.0005)
    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.01)
        before = len(ticks)
        start = time.perf_counter()
        for _ in range(3):
            uaf._derive("SECRET1", b"s" * 16, 2 ** 14, 8, 1)
        elapsed = time.perf_counter() - start
        during = len(ticks) - before
    finally:
        stop.set()
        t.join()
    # The ticker gets the interpreter while scrypt runs (it would not if the lock were held).
    assert during >= min(10, elapsed / 0.005)


def test_password_hash(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "joespw"})
    stored = uaf.password_hash(sysroot, " joe ")
    assert stored.startswith("scrypt$U$") and uaf.verify_password(stored, "JOESPW")
    assert uaf.password_hash(sysroot, "NOBODY") is None
    assert uaf.password_hash(sysroot, "BAD NAME!") is None
    assert uaf.password_hash(sysroot, "TCPIP$POP") is None            # no password set
    uaf.set_password(sysroot, "JOE", "other1")
    assert uaf.password_hash(sysroot, "JOE") != stored


def test_check_password_reasons(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "joespw",
                             "flags": ((False, "DISUSER"),)})
    assert uaf.check_password(sysroot, "JOE", "JOESPW").ok
    assert uaf.check_password(sysroot, "joe", "joespw").ok          # case-blind
    assert uaf.check_password(sysroot, "JOE", "wrong").reason == "BADPASSWORD"
    assert uaf.check_password(sysroot, "NOBODY", "joespw").reason == "NOSUCHUSER"
    assert uaf.check_password(sysroot, "BAD NAME!", "x").reason == "NOSUCHUSER"
    assert uaf.check_password(sysroot, "TCPIP$POP", "").reason == "BADPASSWORD"  # none set
    uaf.modify(sysroot, "JOE", {"flags": ((True, "DISUSER"),)})
    assert uaf.check_password(sysroot, "JOE", "joespw").reason == "DISUSER"
    assert uaf.check_password(sysroot, "JOE", "wrong").reason == "BADPASSWORD"  # tells nothing
    uaf.modify(sysroot, "JOE", {"flags": ((False, "DISUSER"),),
                                "expiration": dt.datetime(2026, 1, 1)})
    check = uaf.check_password(sysroot, "JOE", "joespw", now=NOW)
    assert (check.ok, check.reason) == (False, "EXPIRED")
    assert uaf.check_password(sysroot, "JOE", "joespw", now=dt.datetime(2025, 12, 31)).ok


def test_pwdmix_keeps_case(sysroot):
    uaf.add(sysroot, "MIX", {"uic": (0o200, 2), "flags": ((True, "PWDMIX"), (False, "DISUSER")),
                             "password": "MiXeD"})
    assert uaf.check_password(sysroot, "MIX", "MiXeD").ok
    assert not uaf.check_password(sysroot, "MIX", "MIXED").ok
    # The case rule stays with the stored password even when the flag changes later.
    uaf.modify(sysroot, "MIX", {"flags": ((False, "PWDMIX"),)})
    assert uaf.check_password(sysroot, "MIX", "MiXeD").ok
    uaf.set_password(sysroot, "MIX", "newpass")
    assert uaf.check_password(sysroot, "MIX", "NEWPASS").ok


def test_unknown_users_cost_the_same_work(sysroot, monkeypatch):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "joespw"})
    calls = []
    real = uaf._derive

    def counting(text, salt, n, r, p):
        calls.append((n, r, p))
        return real(text, salt, n, r, p)

    monkeypatch.setattr(uaf, "_derive", counting)
    uaf.check_password(sysroot, "JOE", "wrong")
    known = list(calls)
    calls.clear()
    uaf.check_password(sysroot, "NOBODY", "wrong")
    assert calls == known == [(uaf.SCRYPT_N, uaf.SCRYPT_R, uaf.SCRYPT_P)]
    calls.clear()
    uaf.check_password(sysroot, "TCPIP$POP", "x")
    assert calls == known


def test_password_rules_and_pre_expiry(sysroot):
    assert uaf.password_problem("ABC_$9", False) is None
    assert uaf.password_problem("a b", False) == "SYNTAX"
    assert uaf.password_problem("a-b", False) == "SYNTAX"
    assert uaf.password_problem("a-b!", True) is None
    assert uaf.password_problem("x" * 33, False) == "LENGTH"
    notes = uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "abc"})
    assert notes[0].lines() == [
        "%UAF-I-PWDLESSMIN, new password is shorter than minimum password length"]
    assert uaf.get(sysroot, "JOE").pwd_date is None               # pre-expired
    uaf.modify(sysroot, "JOE", {"password": "abcdefg", "pwd_expired": False}, now=NOW)
    assert uaf.get(sysroot, "JOE").pwd_date == NOW
    uaf.modify(sysroot, "JOE", {"password": None})
    assert not uaf.get(sysroot, "JOE").has_password


def test_login_records(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1)})
    uaf.record_login_failure(sysroot, "joe")
    uaf.record_login_failure(sysroot, "joe")
    uaf.record_login_failure(sysroot, "nobody")
    assert uaf.get(sysroot, "JOE").login_fails == 2
    uaf.record_login(sysroot, "JOE", interactive=False, now=NOW)
    joe = uaf.get(sysroot, "JOE")
    assert (joe.login_fails, joe.last_noninteractive, joe.last_interactive) == (0, NOW, None)


# ------------------------------------------------------------------------------ displays
# A record as a real OpenVMS system showed it (access-hours lines left out: hours are not kept).
REAL_SHOW = (
    'Username: HTTP$SERVER                      Owner:  WASD Server',
    'Account:                                   UIC:    [77,1] ([HTTP$SERVER])',
    'CLI:      DCL                              Tables: DCLTABLES',
    'Default:  HT_ROOT:[HTTP$SERVER]',
    'LGICMD:   LOGIN.COM',
    'Flags:  DisNewMail DisMail',
    'Primary days:   Mon Tue Wed Thu Fri        ',
    'Secondary days:                     Sat Sun',
    'Expiration:            (none)    Pwdminimum:  6   Login Fails:     0',
    'Pwdlifetime:         90 00:00    Pwdchange:      (pre-expired) ',
    'Last Login:            (none) (interactive),            (none) (non-interactive)',
    'Maxjobs:         0  Fillm:       300  Bytlm:      5000000',
    'Maxacctjobs:     0  Shrfillm:      0  Pbytlm:           0',
    'Maxdetach:       0  BIOlm:      2000  JTquota:       4000',
    'Prclm:         100  DIOlm:      1000  WSdef:         1000',
    'Prio:            4  ASTlm:      2000  WSquo:         4000',
    'Queprio:         0  TQElm:       100  WSextent:     20000',
    'CPU:        (none)  Enqlm:       500  Pgflquo:     500000',
    'Authorized Privileges: ',
    '  NETMBX    TMPMBX',
    'Default Privileges: ',
    '  NETMBX    TMPMBX',
)


def test_show_layout_matches_vms(sysroot):
    quotas = dict(MAXJOBS=0, FILLM=300, BYTLM=5000000, MAXACCTJOBS=0, SHRFILLM=0, PBYTLM=0,
                  MAXDETACH=0, BIOLM=2000, JTQUOTA=4000, PRCLM=100, DIOLM=1000, WSDEFAULT=1000,
                  PRIORITY=4, ASTLM=2000, WSQUOTA=4000, QUEPRIO=0, TQELM=100, WSEXTENT=20000,
                  ENQLM=500, PGFLQUOTA=500000)
    uaf.add(sysroot, "HTTP$SERVER", {
        "uic": (0o77, 1), "owner": "WASD Server", "device": "HT_ROOT:",
        "directory": "[HTTP$SERVER]", "lgicmd": "LOGIN.COM", "quotas": quotas,
        "flags": ((False, "DISUSER"), (True, "DISMAIL"), (True, "DISNEWMAIL"))})
    lines = uaf.show_lines(sysroot, uaf.get(sysroot, "HTTP$SERVER"))
    assert lines.pop(8) == "No access restrictions"
    assert lines == list(REAL_SHOW)


def test_show_dates_and_privilege_columns(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "joespw", "pwd_expired": False,
                             "expiration": dt.datetime(2027, 1, 5, 12, 0),
                             "pwd_lifetime": None}, now=dt.datetime(2026, 7, 21, 16, 28))
    uaf.record_login(sysroot, "JOE", now=dt.datetime(2026, 10, 29, 0, 19))
    lines = uaf.show_lines(sysroot, uaf.get(sysroot, "JOE"))
    assert "Expiration:  5-JAN-2027 12:00    Pwdminimum:  6   Login Fails:     0" in lines
    assert "Pwdlifetime:           (none)    Pwdchange:  21-JUL-2026 16:28 " in lines
    assert ("Last Login: 29-OCT-2026 00:19 (interactive),            (none) (non-interactive)"
            in lines)
    system = uaf.show_lines(sysroot, uaf.get(sysroot, "SYSTEM"))
    start = system.index("Authorized Privileges: ")
    assert system[start + 1:start + 6] == [
        "  ACNT      ALLSPOOL  ALTPRI    AUDIT     BUGCHK    BYPASS    CMEXEC    CMKRNL",
        "  IMPERSONATDIAGNOSE  DOWNGRADE EXQUOTA   GROUP     GRPNAM    GRPPRV    IMPORT",
        "  LOG_IO    MOUNT     NETMBX    OPER      PFNMAP    PHY_IO    PRMCEB    PRMGBL",
        "  PRMMBX    PSWAPM    READALL   SECURITY  SETPRV    SHARE     SHMEM     SYSGBL",
        "  SYSLCK    SYSNAM    SYSPRV    TMPMBX    UPGRADE   VOLPRO    WORLD"]


def test_brief_lines_and_privilege_classes(sysroot):
    assert uaf.BRIEF_HEADING.endswith("Account    Privs  Pri Default Directory")
    line = uaf.brief_line(uaf.get(sysroot, "SYSTEM"))
    assert line == (" SYSTEM MANAGER        SYSTEM          [1,4]         SYSTEM     All      4 "
                    "SYS$SYSROOT:[SYSMGR]")
    assert uaf.privilege_class(set()) == "None"
    assert uaf.privilege_class({"TMPMBX", "NETMBX"}) == "Normal"
    assert uaf.privilege_class({"TMPMBX", "GRPPRV"}) == "Group"
    assert uaf.privilege_class({"OPER"}) == "System"
    assert uaf.privilege_class({"SYSPRV", "TMPMBX"}) == "All"


def test_login_directory_through_a_process(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "device": "SYS$SYSDEVICE:",
                             "directory": "[USERS.JOE]"})
    proc = Process(sysroot)
    try:
        shown, created = uaf.create_login_directory(sysroot, uaf.get(sysroot, "JOE"), proc)
        assert created and (sysroot.sysdevice / "users" / "joe").is_dir()
        assert uaf.create_login_directory(sysroot, uaf.get(sysroot, "JOE"))[1] is False
    finally:
        proc.logout()
    uaf.modify(sysroot, "JOE", {"device": "NOSUCH:"})
    with pytest.raises(VMSError):
        uaf.create_login_directory(sysroot, uaf.get(sysroot, "JOE"))
