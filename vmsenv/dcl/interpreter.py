"""The DCL interpreter: procedure levels, the command cycle, $STATUS and ON.

The command cycle for one record:

1. apostrophe substitution (phase 1, vmsenv.dcl.substitution); with SET VERIFY the record is
   then echoed as written (its ``$``, label, comment and continuation lines);
2. comments and continuation hyphens are removed and the label is taken off (labels are
   recorded as records are read: a GOTO looks back at those seen, then reads forward);
3. an assignment (``=  ==  :=  :==``, with ``[offset,size]`` overlays) is done here;
   otherwise a symbol at the start of the command is replaced by its value, once
   (``W :== WRITE SYS$OUTPUT``; abbreviable ``SAY*IT``), the verb is looked up in the command
   table, the line parsed by its definition (vmsenv.dcl.cld), expression parameters evaluated,
   and the verb's handler called.

What is kept between runs of a line (a loop runs the same records again): a record without
an apostrophe skips phase 1 and uses the command body split when it was read; each command
text gets a plan once (assignment or command, its name checked, its verb looked up, its parse
kept when it needed no prompt); each expression text met twice is compiled to a Python
function (vmsenv.dcl.expression.compile_expression).  What depends on symbols -- first-token
substitution, values, types -- is done at every run, and errors are raised again at every run
at the same point, so keeping changes nothing but speed.  Plans are dropped when a verb is
added to the command table; the lexical functions are those loaded at start.  The caches are
bounded (MAX_CACHED texts each, then they start again).

Status rules (facts C7, recordings):

- A handler returns the status to store in $STATUS, or None to leave $STATUS alone (GOTO, IF,
  THEN, ELSE, ENDIF, CONTINUE: an ``ON ... THEN GOTO`` handler still sees the failing status).
- A VMSError raised by a handler, the parser or an expression is displayed with its segment
  line and its status stored as it is (%X00038090 after IVVERB).
- A status returned by a handler, EXIT, RETURN, ``@`` or CALL is displayed when it is not a
  success and its bit 28 (INHIB_MSG) is clear -- EXIT's documentation: even values produce
  warning, error and fatal messages -- and stored as it is (``EXIT %X2C`` prints
  %SYSTEM-F-ABORT and leaves %X0000002C).  A handler that displays its own messages returns
  its status with INHIB_MSG set (``dcl.signal`` does both).
- EXIT and RETURN without a value, and leaving a procedure by its end or by the default
  ``ON ERROR THEN EXIT``, give the current $STATUS with INHIB_MSG set (recorded: RETURN
  without GOSUB leaves %X10030001), so a message is not shown twice.  Reaching ENDSUBROUTINE
  gives %X00030001.
- After a stored status, in a procedure with SET ON, the level's ON condition fires at its
  severity or worse (W < E < F; S and I never): the setting returns to ON ERROR THEN EXIT and
  the action runs (default: leave the procedure).

Input and output (vmsenv.dcl.redirection): DCL writes to the SYS$OUTPUT of the current level
(``out``); a verb declared ``image=True`` runs inside redirection.running_image, which gives the
image its own SYS$OUTPUT and SYS$ERROR when logical names redirect them (``out`` and ``error``
are then the image's), and runs down user-mode names when the image ends, also when it fails.
Messages go to SYS$OUTPUT and, when SYS$ERROR is another stream, to SYS$ERROR too.

Levels: the interactive level is depth 0; each ``@`` and each CALL adds one (at most 32,
STKOVF beyond).  Local symbols of outer levels are visible inside; ON, GOSUB and labels are
per level; SET VERIFY is per process.  User-mode logical names run down after an image verb
and at procedure entry and exit.

A procedure file that cannot be opened gives ``%DCL-E-OPENIN, error opening SPEC as input``
with the cause on a second line, and leaves the cause's status with INHIB_MSG set (as OPEN
does, recorded %X10018292); an /OUTPUT file that cannot be created gives OPENOUT, raised
(its status stored as it is).

Choices where VMS is silent: STOP leaves every procedure level with SS$_ABORT and INHIB_MSG
set; a block IF whose expression fails (e.g. UNDSYM) skips the whole block; data records read
as commands give one SKPDAT warning per run of them, without changing $STATUS; a label typed
at the interactive level gives NOLBLS; lines skipped by IF or GOTO are not verified; a missing
parameter is prompted for only at the interactive level of an INTERACTIVE-mode interpreter
with an input stream; a verb declared only to switch syntax (DELETE without /SYMBOL while no
module gives DELETE itself a handler) is IVVERB.

Not implemented: foreign commands (a symbol whose value starts with ``$``: the rest of the line
is given to an image) -- such a command gives IVVERB; ``&`` substitution outside expressions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl import cld, redirection, verbs
from vmsenv.dcl.expression import compile_expression, evaluate
from vmsenv.dcl.level import (
    CALL,
    INTERACTIVE,
    ON_THRESHOLDS,
    PROCEDURE,
    SEVERITY_RANK,
    Level,
    LevelExit,
    StopAll,
)
from vmsenv.dcl.lexer import (
    Record,
    Source,
    command_body,
    continues,
    foreign_command_line,
    join_lines,
    make_record,
    split_label,
    squeeze_text,
)
from vmsenv.dcl.substitution import substitute
from vmsenv.dcl.symbols import NAME_RE, Symbol, SymbolTable, split_definition
from vmsenv.dcl.values import Value, is_numeric, to_int, to_str, wrap32
from vmsenv.files import host_status

MAX_DEPTH = 32
MAX_GOSUB = 16
MAX_SYMBOL_NAME = 255
MAX_CACHED = 4096          # command plans and expressions kept; the cache restarts beyond
_SEEN = object()           # an expression met once: compiled when met again
_NOT_COMPILED = object()   # an expression left to the Evaluator (it does not parse)
_ASSIGN = re.compile(
    r"\s*(?P<name>[A-Za-z$_][A-Za-z0-9$_]*(?:\*[A-Za-z0-9$_]*)?)\s*"
    r"(?:\[(?P<overlay>[^\]]*)\]\s*)?(?P<op>:==|:=|==|=)(?P<rhs>.*)\Z",
    re.DOTALL,
)
_FIRST_TOKEN = re.compile(r"[A-Za-z0-9$_]+")
_PLAIN_NAME = re.compile(r"\s*([A-Za-z$_][A-Za-z0-9$_]*)\s*\Z")


def _file_error(status: int, spec: str, err: VMSError) -> VMSError:
    """%DCL-E-OPENIN / OPENOUT naming the file, with the cause as the second line."""
    shown = getattr(err, "spec", None) or spec.upper()
    return VMSError(status, shown, secondary=(err,))


class Interpreter:
    """One DCL command interpreter for a process.

    ``Interpreter(process, out, input=None, mode="INTERACTIVE")``: out is SYS$OUTPUT (messages
    go there too); input, when given, is where prompts for missing parameters read from.
    """

    def __init__(self, process, out: TextIO, input: TextIO | None = None, *,
                 mode: str = "INTERACTIVE", modules=None):
        self.process = process
        self.input = input
        self.mode = mode
        self.table, self.lexicals = verbs.load(modules)
        self.globals = SymbolTable()
        self.status = C.SS_NORMAL
        self.verify_procedure = False
        self.verify_image = False
        self.message_flags = C.ALL_PARTS
        self.prompt = "$ "
        self.files: dict = {}   # logical name -> file opened by DCL (OPEN), see WRITE
        self.levels: list[Level] = [Level(0, INTERACTIVE, Source(), out)]
        self._expressions: dict = {}   # expression text -> compiled function (or a marker)
        self._plans: dict = {}         # command text -> plan, see _plan()
        self._verb_plans: dict = {}    # command text after first-token substitution -> plan
        self._table_generation = self.table.generation   # plans hold verbs of this table
        self.pending_ast = None  # callable run between two records (CTRL/Y actions)
        self.pending_prompt: str | None = None  # the prompt read_line is waiting at
        self.error_out: TextIO | None = None    # SYS$ERROR when it is not SYS$OUTPUT
        # (SYS$OUTPUT, SYS$ERROR) of the image running, when logical names redirect them
        self.image_streams: tuple[TextIO, TextIO] | None = None

    # ---------------------------------------------------------------------------------------
    # State seen by verbs and lexical functions.
    # ---------------------------------------------------------------------------------------
    @property
    def level(self) -> Level:
        return self.levels[-1]

    @property
    def depth(self) -> int:
        return self.level.depth

    @property
    def out(self) -> TextIO:
        """SYS$OUTPUT: the running image's own, else the current level's."""
        if self.image_streams is not None:
            return self.image_streams[0]
        return self.level.out

    @property
    def error(self) -> TextIO:
        """SYS$ERROR: the running image's own, else error_out, else SYS$OUTPUT."""
        if self.image_streams is not None:
            return self.image_streams[1]
        return self.error_out if self.error_out is not None else self.level.out

    @property
    def final_status(self) -> int:
        return self.status

    def write(self, line: str) -> None:
        """One line to SYS$OUTPUT."""
        self.out.write(line + "\n")

    def show_error(self, err: VMSError) -> None:
        for line in err.lines(self.message_flags):
            self.write_message(line)

    def write_message(self, line: str) -> None:
        """A message line: on SYS$OUTPUT, and on SYS$ERROR too when that is another file (a
        detached process's /ERROR, an image's redirected SYS$ERROR or SYS$OUTPUT), as VMS
        writes messages to both."""
        self.write(line)
        error = self.error
        if error is not self.out:
            error.write(line + "\n")
            error.flush()

    def signal(self, status: int, *fao_args, segment: str | None = None, secondary=()) -> int:
        """Display a message (as SET MESSAGE allows); returns the status with INHIB_MSG set,
        ready for a handler to return."""
        self.show_error(VMSError(status, *fao_args, segment=segment, secondary=secondary))
        return (status | C.INHIB_MSG) & 0xFFFFFFFF

    def evaluate(self, text: str) -> Value:
        """The value of an expression.  A text met a second time is compiled and the
        function kept (vmsenv.dcl.expression.compile_expression)."""
        entry = self._expressions.get(text)
        if entry is None:
            if len(self._expressions) >= MAX_CACHED:
                self._expressions.clear()
            self._expressions[text] = _SEEN
            return evaluate(self, text)
        if entry is _SEEN:
            entry = compile_expression(text, self.lexicals) or _NOT_COMPILED
            self._expressions[text] = entry
        if entry is _NOT_COMPILED:
            return evaluate(self, text)
        return entry(self)

    def read_data_lines(self) -> list[str]:
        """The data records following the current command (its SYS$INPUT), consumed; echoed
        under SET VERIFY=IMAGE.  At the interactive level: the input's lines up to its end
        (CTRL/Z on a terminal)."""
        level = self.level
        if level.kind == INTERACTIVE:
            return self.read_terminal_lines()
        lines: list[str] = []
        while True:
            record = level.source.get(level.pc)
            if record is None or record.command:
                return lines
            level.pc += 1
            lines.append(record.lines[0])
            if self.verify_image and level.kind != INTERACTIVE:
                self.write(record.lines[0])

    def read_terminal_lines(self) -> list[str]:
        """The input's lines up to its end (CTRL/Z on a terminal): SYS$COMMAND read as a
        file."""
        lines: list[str] = []
        while self.input is not None:
            line = self.input.readline()
            if not line:
                break
            lines.append(line.rstrip("\n").rstrip("\r"))
        return lines

    # -- symbols ------------------------------------------------------------------------------
    def lookup_symbol(self, name: str) -> Value | None:
        """A symbol's value (name as stored: upper-case), local levels first, then global."""
        if name == "$STATUS":
            return C.status_hex(self.status)
        if name == "$SEVERITY":
            return str(self.status & 7)
        for level in reversed(self.levels):
            symbol = level.locals.lookup(name)
            if symbol is not None:
                return symbol.value
        symbol = self.globals.lookup(name)
        return None if symbol is None else symbol.value

    def find_symbol(self, name: str) -> tuple[Symbol, bool] | None:
        """(symbol, is_global) for a name, searching this level's locals, the outer levels'
        locals, then the globals."""
        for level in reversed(self.levels):
            symbol = level.locals.lookup(name)
            if symbol is not None:
                return symbol, False
        symbol = self.globals.lookup(name)
        return (symbol, True) if symbol is not None else None

    def set_symbol(self, name: str, value: Value, is_global: bool = False) -> None:
        """Define a symbol (the name may carry an abbreviation ``*``).  Assignments store
        through _store, which does the same with the name checked once: keep them in step."""
        if isinstance(value, int):
            value = wrap32(value)
        table = self.globals if is_global else self.level.locals
        if len(name.replace("*", "")) > MAX_SYMBOL_NAME:
            raise VMSError(C.CLI_SYMLNG, segment=name.upper())
        try:
            table.define(name, value)
        except ValueError:
            raise VMSError(C.CLI_IVSYMB, segment=name.upper()) from None

    # ---------------------------------------------------------------------------------------
    # Entry points.
    # ---------------------------------------------------------------------------------------
    def run_line(self, text: str) -> int:
        """Run one command line at the interactive level; returns $STATUS."""
        level = self.levels[0]
        level.source.append(make_record(text.split("\n")))
        self._run_top(level)
        return self.status

    def run_procedure(self, spec, params=()) -> int:
        """``@spec params`` from the interactive level; returns $STATUS."""
        try:
            status = self.call_procedure(str(spec), [str(p) for p in params])
        except StopAll:
            status = (C.SS_ABORT | C.INHIB_MSG)
        except VMSError as err:
            self.show_error(err)
            self.status = err.status
            return self.status
        self.complete(status)
        return self.status

    def interactive(self, stdin: TextIO, stdout: TextIO) -> int:
        """Read and run commands until end of input; returns the final $STATUS."""
        level = self.levels[0]
        level.out = stdout
        self.input = stdin

        def reader() -> Record | None:
            line = self.read_line(self.prompt)
            if line is None:
                return None
            lines = [line]
            while continues(lines[-1]):
                more = self.read_line("_" + self.prompt)
                if more is None:
                    break
                lines.append(more)
            return make_record(lines)

        level.source.reader = reader
        try:
            self._run_top(level)
        finally:
            level.source.reader = None
        return self.status

    def read_line(self, prompt: str) -> str | None:
        """Prompt on SYS$OUTPUT and read one line from the input (None at end of input).
        An input with a read_line(prompt) of its own (the shell's terminal) does both."""
        if self.input is None:
            return None
        # While waiting, the prompt is known to asynchronous writers (OPCOM messages), which
        # write it again after their message.
        self.pending_prompt = prompt
        try:
            terminal_read = getattr(self.input, "read_line", None)
            if terminal_read is not None:
                return terminal_read(prompt)
            self.levels[0].out.write(prompt)
            self.levels[0].out.flush()
            line = self.input.readline()
        finally:
            self.pending_prompt = None
        if not line:
            return None
        return line.rstrip("\n").rstrip("\r")

    def _run_top(self, level: Level) -> None:
        while True:
            try:
                self._run_records(level)
                return
            except StopAll:
                self.status = C.SS_ABORT | C.INHIB_MSG

    # ---------------------------------------------------------------------------------------
    # Levels.
    # ---------------------------------------------------------------------------------------
    def _open_output(self, spec: str | None, default: TextIO) -> tuple[TextIO, bool]:
        """/OUTPUT= of ``@`` and CALL (redirection.output_stream: SYS$OUTPUT, the terminal,
        NL:, or a new version of a file)."""
        if spec is None:
            return default, False
        try:
            stream, owned, _ = redirection.output_stream(self, spec, ".LIS")
        except VMSError as err:
            raise _file_error(C.CLI_OPENOUT, spec, err) from None
        return stream, owned

    def _p_symbols(self, level: Level, params: list[str]) -> None:
        for n in range(8):
            level.locals.define(f"P{n + 1}", params[n] if n < len(params) else "")

    def call_procedure(self, spec: str, params: list[str], output: str | None = None) -> int:
        """``@spec``: run a procedure file at a new level; returns its exit status."""
        if self.depth + 1 > MAX_DEPTH:
            raise VMSError(C.CLI_STKOVF)
        if len(params) > 8:
            raise VMSError(C.CLI_DEFOVF)
        try:
            full, path = self.process.resolve_file(spec, ".COM")
            try:
                text = Path(path).read_text(encoding="latin-1")
            except OSError as exc:
                raise _file_error(C.CLI_OPENIN, full, VMSError(host_status(exc))) from None
        except VMSError as err:
            if err.status & 0xFFFFFFF8 == C.CLI_OPENIN & 0xFFFFFFF8:
                failure = err
            else:
                failure = _file_error(C.CLI_OPENIN, spec, err)
            self.show_error(failure)
            return (failure.secondary[0].status | C.INHIB_MSG) & 0xFFFFFFFF
        source = Source.from_text(full, text)
        out, owned = self._open_output(output, self.out)
        level = Level(self.depth + 1, PROCEDURE, source, out, procedure=full, owns_out=owned,
                      scopes=[(0, None)])
        self._p_symbols(level, params)
        return self._run_level(level)

    def call_subroutine(self, label: str, params: list[str], output: str | None = None) -> int:
        """CALL label: run a SUBROUTINE of this procedure at a new level."""
        caller = self.level
        if caller.kind == INTERACTIVE:
            raise VMSError(C.CLI_USCALL, label)
        if self.depth + 1 > MAX_DEPTH:
            raise VMSError(C.CLI_STKOVF)
        found = self._find_subroutine(caller, label)
        if found is None:
            raise VMSError(C.CLI_USCALL, label)
        index, scope_depth = found
        end = caller.source.find_end(caller.source.endsub_of, index)
        if end is None:
            raise VMSError(C.CLI_MSNGENDS)
        out, owned = self._open_output(output, self.out)
        level = Level(self.depth + 1, CALL, caller.source, out, start=index + 1, end=end,
                      pc=index + 1, procedure=caller.procedure, owns_out=owned,
                      scopes=[(index + 1, end)] + caller.scopes[scope_depth:])
        self._p_symbols(level, params)
        return self._run_level(level)

    def _run_level(self, level: Level) -> int:
        self.levels.append(level)
        self.process.lnm.image_rundown()
        try:
            status = self._run_records(level)
        except LevelExit as leave:
            status = leave.status
        finally:
            self.levels.pop()
            if level.owns_out:
                level.out.close()
            self.process.lnm.image_rundown()
        return status & 0xFFFFFFFF

    def _run_records(self, level: Level) -> int:
        """Run a level's records until its region or its input ends."""
        while True:
            if self.pending_ast is not None:
                ast, self.pending_ast = self.pending_ast, None
                ast()
            index = level.pc
            if level.end is not None and index >= level.end:
                record = level.source.get(index)
                if record is not None:
                    self._verify(level, record.lines)
                return C.CLI_NORMAL
            record = level.source.get(index)
            if record is None:
                return (self.status | C.INHIB_MSG) & 0xFFFFFFFF
            level.pc = index + 1
            self._step(level, index, record)

    # ---------------------------------------------------------------------------------------
    # One record.
    # ---------------------------------------------------------------------------------------
    def _verify(self, level: Level, lines: list[str]) -> None:
        if self.verify_procedure and level.kind != INTERACTIVE:
            for line in lines:
                self.write(line)

    def _step(self, level: Level, index: int, record: Record) -> None:
        if not record.command:
            if not level.in_data:
                level.in_data = True
                self.show_error(VMSError(C.CLI_SKPDAT))
            return
        level.in_data = False
        level.current = index
        if record.label is not None and level.kind != INTERACTIVE:
            level.labels[record.label] = index
        if record.word == "SUBROUTINE" and level.kind != INTERACTIVE:
            end = level.source.find_end(level.source.endsub_of, index)
            level.pc = end + 1 if end is not None else len(level.source.records)
            return
        if record.apostrophes:
            try:
                text = substitute(record.text, self._apostrophe)
            except VMSError as err:
                self._verify(level, record.lines)
                self.show_error(err)
                self.complete(err.status, displayed=True)
                return
            lines = text.split("\n")
            self._verify(level, lines)
            label, body = split_label(command_body(join_lines(lines)))
        else:
            # nothing to substitute: the record's own text, split when it was read
            if self.verify_procedure:
                self._verify(level, record.lines)
            label, body = record.label, record.body
        if label is not None and level.kind == INTERACTIVE:
            self.show_error(VMSError(C.CLI_NOLBLS))
        self.execute(body)

    def _apostrophe(self, content: str) -> str:
        m = _PLAIN_NAME.match(content)
        if m:
            value = self.lookup_symbol(m.group(1).upper())
            return "" if value is None else to_str(value)
        return to_str(self.evaluate(content))

    def execute(self, text: str) -> None:
        """Run one command after phase 1 (also the command of IF ... THEN and of ON)."""
        if self._table_generation != self.table.generation:
            self._forget_plans()
        plan = self._plans.get(text)
        if plan is None:
            plan = self._plan(text)
        if plan is _nothing:
            return
        try:
            status = plan(self)
        except VMSError as err:
            if not getattr(err, "displayed", False):   # an image showed it already
                self.show_error(err)
            self.complete(err.status, displayed=True)
            return
        if status is not None:
            self.complete(status)

    # -- plans: what a command text needs that does not depend on symbol values -------------
    def _forget_plans(self) -> None:
        """The command table changed (a verb was added): plans hold its old verbs."""
        self._plans.clear()
        self._verb_plans.clear()
        self._table_generation = self.table.generation

    def _plan(self, text: str):
        """The plan of a command text, made once and kept (see _command_plan)."""
        stripped = text.strip(" \t")
        if not stripped:
            plan = _nothing
        else:
            m = _ASSIGN.match(stripped)
            if m:
                plan = _assignment_plan(m.group("name"), m.group("overlay"), m.group("op"),
                                        m.group("rhs"))
            else:
                plan = self._command_plan(stripped, symbol_step=True)
        if len(self._plans) >= MAX_CACHED:
            self._plans.clear()
        self._plans[text] = plan
        return plan

    def _verb_plan(self, text: str):
        """The plan of a command whose first token was a symbol, after substitution."""
        plan = self._verb_plans.get(text)
        if plan is None:
            if len(self._verb_plans) >= MAX_CACHED:
                self._verb_plans.clear()
            plan = self._verb_plans[text] = self._command_plan(text, symbol_step=False)
        return plan

    def _resolve_verb(self, text: str) -> tuple[cld.Verb, str, str]:
        """(definition, text after the verb, verb name) of a command; raises IVVERB, ABVERB,
        NOCOMD."""
        if text.startswith("@"):
            verb = self.table.get("@")
            rest = text[1:]
            name = "@"
        else:
            token = _FIRST_TOKEN.match(text)
            if not token:
                words = text.split()
                raise VMSError(C.CLI_NOCOMD, segment=(words[0] if words else text).upper())
            verb = self.table.lookup(token.group(0))
            rest = text[token.end():]
            name = verb.name
        if verb.handler is None and not verb.keywords \
                and cld.syntax_switch(verb, rest)[0] is verb:
            raise VMSError(C.CLI_IVVERB, segment=name)
        return verb, rest, name

    def _command_plan(self, text: str, symbol_step: bool):
        """A command that is not an assignment, as a function ``plan(dcl) -> status``.

        At run time: first-token substitution when the first token names a symbol (then the
        substituted text gets its own plan); the verb, looked up once; the parse, made once
        and kept when it succeeds without prompting -- handlers must treat the ParsedCommand
        as read-only, only the values of expression parameters are set again at each run.
        Errors are raised again at each run, at the same point.
        """
        key = after = None
        if symbol_step:
            token = _FIRST_TOKEN.match(text)
            if token and NAME_RE.match(token.group(0)):
                key, after = token.group(0).upper(), text[token.end():]
        try:
            resolved: tuple | None = self._resolve_verb(text)
        except VMSError:
            resolved = None
        parsed: list = []   # [cmd, its expression values] once parsed

        def plan(dcl: Interpreter) -> int | None:
            if key is not None:
                found = dcl.find_symbol(key)
                if found is not None:
                    substituted = (to_str(found[0].value) + after).lstrip(" \t")
                    if not substituted:
                        return None
                    if substituted.startswith("$"):
                        return dcl._foreign(substituted[1:])
                    return dcl._verb_plan(substituted)(dcl)
            if not parsed:
                if resolved is None:
                    return dcl._run_command(*dcl._resolve_verb(text))  # raises again
                return dcl._run_command(*resolved, keep=parsed)
            cmd, expressions = parsed
            for value in expressions:
                value.value = dcl.evaluate(value.text)
            return dcl._call_handler(cmd)

        return plan

    def _foreign(self, text: str) -> int:
        """A foreign command (``X :== $image``): the image runs with the rest of the command
        line as its command line (LIB$GET_FOREIGN); the image's default specification is
        SYS$SYSTEM:.EXE."""
        from vmsenv.dcl.verbs.images import run_image

        spec, _, args = text.strip(" \t").partition(" ")
        if not spec:
            raise VMSError(C.CLI_IVVERB, segment="$")
        with redirection.running_image(self):
            return run_image(self, spec, foreign_command_line(args), default="SYS$SYSTEM:.EXE")

    def _run_command(self, verb: cld.Verb, rest: str, name: str,
                     keep: list | None = None) -> int | None:
        """Parse a command by its definition and run it; a parse made without prompting is
        kept in ``keep`` as [cmd, its expression values]."""
        try:
            cmd = cld.parse(verb, rest, name)
        except VMSError:
            cmd = self._parse(verb, rest, name)   # prompts for a parameter, or raises
        else:
            if keep is not None:
                keep[:] = [cmd, _expression_values(cmd)]
        self._evaluate_expressions(cmd)
        return self._call_handler(cmd)

    def _call_handler(self, cmd: cld.ParsedCommand) -> int | None:
        if cmd.verb.handler is None:
            raise VMSError(C.CLI_IVVERB, segment=cmd.name)
        if not cmd.verb.image:
            return cmd.verb.handler(self, cmd)
        with redirection.running_image(self):
            return cmd.verb.handler(self, cmd)

    def _store(self, full: str, min_length: int, value: Value, is_global: bool) -> None:
        """set_symbol with a name already checked and split."""
        if isinstance(value, int):
            value = wrap32(value)
        (self.globals if is_global else self.levels[-1].locals).assign(full, min_length, value)

    def _parse(self, verb: cld.Verb, text: str, name: str) -> cld.ParsedCommand:
        while True:
            try:
                return cld.parse(verb, text, name)
            except cld.MissingParameter as missing:
                answer = None
                if self.level.kind == INTERACTIVE and self.mode == "INTERACTIVE":
                    parameter = missing.parameter
                    prompt = parameter.prompt or parameter.label.capitalize()
                    answer = self.read_line(f"_{prompt}: ")
                if answer is None or not answer.strip(" \t"):
                    raise VMSError(C.CLI_INSFPRM) from None
                text = f"{text} {answer}"
            except VMSError as err:
                if err.status == C.CLI_MAXPARM and verb.name in ("@", "CALL"):
                    raise VMSError(C.CLI_DEFOVF, segment=err.segment) from None
                raise

    def _evaluate_expressions(self, cmd: cld.ParsedCommand) -> None:
        for parameter in cmd.verb.parameters:
            if parameter.type != cld.EXPRESSION:
                continue
            for value in cmd.params.get(parameter.label, []):
                value.value = self.evaluate(value.text)

    # ---------------------------------------------------------------------------------------
    # Status.
    # ---------------------------------------------------------------------------------------
    def complete(self, status: int, displayed: bool = False) -> None:
        """Store a command's status: display it if needed, then apply ON."""
        status &= 0xFFFFFFFF
        self.status = status
        if status & 1:
            return   # success or information: nothing shown, ON never fires
        if not displayed and not status & C.INHIB_MSG:
            line = C.format_message(status, flags=self.message_flags)
            if line:
                self.write_message(line)
        self._check_on(status)

    def _check_on(self, status: int) -> None:
        level = self.level
        if level.kind == INTERACTIVE or not level.on_enabled:
            return
        rank = SEVERITY_RANK.get(status & 7)
        if rank is None or rank < ON_THRESHOLDS[level.on_condition]:
            return
        action = level.on_action
        level.on_condition, level.on_action = "ERROR", None
        if action is None:
            raise LevelExit((self.status | C.INHIB_MSG) & 0xFFFFFFFF)
        self.execute(action)

    def exit_level(self, status: int | None) -> None:
        """EXIT [status]: leave the current procedure level (at the interactive level only
        $STATUS is set)."""
        if status is None:
            status = self.status | C.INHIB_MSG
        status &= 0xFFFFFFFF
        if self.level.kind == INTERACTIVE:
            self.complete(status)
            return
        raise LevelExit(status)

    def stop(self) -> None:
        if self.level.kind == INTERACTIVE:
            return
        raise StopAll()

    # ---------------------------------------------------------------------------------------
    # Labels, GOTO, GOSUB.
    # ---------------------------------------------------------------------------------------
    def _scan_forward(self, level: Level, start: int, end: int | None, label: str,
                      register: bool, subroutine: bool = False) -> int | None:
        """Find a label reading forward in a region, skipping subroutine bodies."""
        source = level.source
        index = start
        while end is None or index < end:
            record = source.get(index)
            if record is None:
                return None
            if record.command and record.label is not None:
                if register:
                    level.labels[record.label] = index
                if record.label == label and (not subroutine or record.word == "SUBROUTINE"):
                    return index
            if record.command and record.word == "SUBROUTINE":
                skip = source.find_end(source.endsub_of, index)
                if skip is None:
                    return None
                index = skip + 1
                continue
            index += 1
        return None

    def find_label(self, label: str) -> int | None:
        """A GOTO/GOSUB target in the current level: a label already seen, else the next one
        reading forward.  None when missing or inside another IF block."""
        level = self.level
        label = label.upper()
        index = level.labels.get(label)
        if index is None:
            index = self._scan_forward(level, level.pc, level.end, label, register=True)
        if index is None:
            return None
        here = level.source.records[level.current].chain if level.current >= 0 else ()
        there = level.source.records[index].chain
        if here[:len(there)] != there:
            return None
        return index

    def goto(self, label: str) -> None:
        index = self.find_label(label) if self.level.kind != INTERACTIVE else None
        if index is None:
            self._missing_target(C.CLI_USGOTO, label)
        self.level.pc = index

    def gosub(self, label: str) -> None:
        level = self.level
        index = self.find_label(label) if level.kind != INTERACTIVE else None
        if index is None:
            self._missing_target(C.CLI_USGOSUB, label)
        if len(level.gosubs) >= MAX_GOSUB:
            raise VMSError(C.CLI_GOSUBMAX)
        level.gosubs.append(level.pc)
        level.pc = index

    def return_(self, status: int | None) -> int:
        """RETURN [status]: back to after the GOSUB; returns the status to store."""
        level = self.level
        if status is None:
            status = self.status | C.INHIB_MSG
        if level.gosubs:
            level.pc = level.gosubs.pop()
        return status & 0xFFFFFFFF

    def _missing_target(self, status: int, label: str) -> None:
        """USGOTO / USGOSUB: displayed, then the procedure exits."""
        err = VMSError(status, segment=label.upper())
        if self.level.kind == INTERACTIVE:
            raise err
        self.show_error(err)
        self.status = status
        raise LevelExit((status | C.INHIB_MSG) & 0xFFFFFFFF)

    def _find_subroutine(self, level: Level, label: str) -> tuple[int, int] | None:
        label = label.upper()
        for depth, (start, end) in enumerate(level.scopes):
            index = self._scan_forward(level, start, end, label, register=False,
                                       subroutine=True)
            if index is not None:
                return index, depth
        return None

    # -- block IF -----------------------------------------------------------------------------
    def block_if(self, condition: bool) -> None:
        """After ``$ IF expr`` with no THEN: enter the THEN part or go to ELSE / past ENDIF."""
        level = self.level
        source = level.source
        then = level.pc
        record = source.get(then)
        while record is not None and not record.command:
            then += 1
            record = source.get(then)
        if record is None or record.word != "THEN":
            raise VMSError(C.CLI_NOTHEN)
        if condition:
            level.pc = then
            return
        end = source.find_end(source.endif_of, then)
        if end is None:
            level.pc = len(source.records)
            return
        otherwise = source.else_of.get(then)
        if otherwise is not None:
            level.entering_else = otherwise
            level.pc = otherwise
        else:
            level.pc = end + 1

    def skip_block(self) -> None:
        """A block IF that could not be evaluated: continue after its ENDIF."""
        level = self.level
        source = level.source
        then = level.pc
        record = source.get(then)
        if record is None or record.word != "THEN":
            return
        end = source.find_end(source.endif_of, then)
        level.pc = end + 1 if end is not None else len(source.records)

    def enter_else(self) -> bool:
        """At an ELSE record: True when a false block IF led here (run the ELSE part), else
        the THEN part is over and control goes past the ENDIF."""
        level = self.level
        if level.entering_else == level.current:
            level.entering_else = None
            return True
        self._end_then_part()
        return False

    def _end_then_part(self) -> None:
        level = self.level
        source = level.source
        then = source.then_of.get(level.current)
        if then is None:
            return
        end = source.find_end(source.endif_of, then)
        level.pc = end + 1 if end is not None else len(source.records)

    # ---------------------------------------------------------------------------------------
    # Assignment.
    # ---------------------------------------------------------------------------------------
    def _assign(self, name: str, overlay: str | None, op: str, rhs: str) -> int:
        is_global = op in ("==", ":==")
        if op in (":=", ":=="):
            value: Value = squeeze_text(rhs)
        else:
            if not rhs.strip(" \t"):
                raise VMSError(C.CLI_EXPSYN)
            value = self.evaluate(rhs)
        if overlay is not None:
            if "*" in name:
                raise VMSError(C.CLI_SYMABR, segment=name.upper())
            value = self._overlay(name.upper(), overlay, op.startswith(":"), value)
        self.set_symbol(name, value, is_global)
        return C.CLI_NORMAL

    def _overlay(self, name: str, overlay: str, textual: bool, value: Value) -> Value:
        parts = cld._split_top_level(overlay)
        if len(parts) != 2:
            raise VMSError(C.CLI_EXPSYN, segment=overlay.upper())
        offset, size = (to_int(self.evaluate(p)) for p in parts)
        if offset < 0 or size < 0:
            raise VMSError(C.CLI_INVRANGE)
        old = self.lookup_symbol(name)
        if textual:
            text = to_str(value)[:size].ljust(size)
            base = "" if old is None else to_str(old)
            base = base.ljust(offset)
            return base[:offset] + text + base[offset + size:]
        if size > 32 or offset + size > 32 * 1024:
            raise VMSError(C.CLI_INVRANGE)
        bits = to_int(value) & ((1 << size) - 1)
        mask = ((1 << size) - 1) << offset
        if old is None or isinstance(old, int) or is_numeric(old):
            number = 0 if old is None else to_int(old) & 0xFFFFFFFF
            return wrap32((number & ~mask) | (bits << offset))
        data = bytearray(old.encode("latin-1"))
        needed = (offset + size + 7) // 8
        data.extend(b"\0" * max(0, needed - len(data)))
        number = int.from_bytes(data, "little")
        number = (number & ~mask) | (bits << offset)
        return number.to_bytes(len(data), "little").decode("latin-1")


# ---------------------------------------------------------------------------------------------
# Plans of commands (see Interpreter._plan).
# ---------------------------------------------------------------------------------------------
def _nothing(dcl: Interpreter) -> None:
    """The plan of an empty command."""
    return None


def _expression_values(cmd: cld.ParsedCommand) -> list:
    return [value for parameter in cmd.verb.parameters if parameter.type == cld.EXPRESSION
            for value in cmd.params.get(parameter.label, [])]


def _assignment_plan(name: str, overlay: str | None, op: str, rhs: str):
    """``name = expression`` and the other assignments, as a plan; the value is all that
    depends on symbols (the name is checked and split once)."""
    is_global = op in ("==", ":==")
    textual = op in (":=", ":==")
    simple = overlay is None and len(name.replace("*", "")) <= MAX_SYMBOL_NAME
    if simple:
        try:
            full, min_length = split_definition(name)
        except ValueError:
            simple = False
    if not simple or (not textual and not rhs.strip(" \t")):
        def general(dcl: Interpreter) -> int:
            return dcl._assign(name, overlay, op, rhs)
        return general
    if textual:
        value = squeeze_text(rhs)

        def constant(dcl: Interpreter) -> int:
            dcl._store(full, min_length, value, is_global)
            return C.CLI_NORMAL
        return constant

    def expression(dcl: Interpreter) -> int:
        dcl._store(full, min_length, dcl.evaluate(rhs), is_global)
        return C.CLI_NORMAL
    return expression
