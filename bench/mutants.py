#!/usr/bin/env python3
"""bench/mutants.py — the mutants of bench/mutation_score.sh.

Each mutant is one change to core/ that mirrors how re-entrancy bugs are
made; printed one per line as JSON: {"id", "op", "file", "line", "edits"},
edits being [line, new text or null (delete)] pairs on 1-based lines.

  python3 bench/mutants.py SRC_DIR [--apply ID DEST_DIR]

Operators:
  drop-context-check   a test of in_nmi(), in_hardirq(), irqs_disabled(),
                       preemptible() or local_lock_is_locked() in a condition
                       reads as if the context were harmless
  drop-allow-spin      a condition on allow_spin / gfpflags_allow_spinning()
                       reads as if spinning were allowed
  trylock-to-lock      a trylock becomes the lock (it spins, then "succeeds")
  drop-preempt-pair    a preempt_disable()/migrate_disable()/local_irq_save()
                       and the matching enable/restore after it go
  drop-tid-bump        next_tid(x) becomes x: the transaction id stays
  swap-stores          two adjacent stores to memory trade places
  cmpxchg-to-load-store  a compare-and-exchange becomes a load, a compare and
                       a plain store (no longer atomic)

Only code that an interrupt can re-enter is mutated: functions that run once
before any other context can see their objects (boot, cache creation,
building a fresh slab or sheaf) or after none can any more (cache
destruction: its caller guarantees the cache is idle) are skipped. So are
a registry bug's guards: in `X && bug_on(BUG)` the term X only matters with
the bug on (false is what the model does with it off), and a statement an
`if (...)` without braces guards is not one of a pair. Deterministic: the
same source gives the same mutants, in file and line order.
"""
import json
import re
import sys

FILES = ["core/nolock.c", "core/slub.c", "core/sheaves.c", "core/page_alloc.c",
         "core/memcontrol.c"]


def call_end(s, start):
    """Index just past the ')' that closes the '(' at s[start]."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def split_args(inner):
    args, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    args.append(cur.strip())
    return args


def is_comment(line):
    t = line.strip()
    return t.startswith("*") or t.startswith("/*") or t.startswith("//")


def is_condition(line):
    t = line.strip()
    return (t.startswith("if (") or t.startswith("} else if (") or t.startswith("while (")
            or t.startswith("return ") or t.startswith("&&") or t.startswith("||")
            or t.endswith("&&") or t.endswith("||"))


def mutants(src):
    out = []

    def add(op, path, line, edits):
        new = edits[0][1]
        if new is not None and re.search(r"\bfalse\s*&&\s*bug_on\(", new):
            return  # a registry bug's guard: false is the bug-off behaviour
        out.append({"op": op, "file": path, "line": line, "edits": edits})

    for path in FILES:
        with open(f"{src}/{path}") as f:
            lines = f.read().split("\n")
        function = ""
        for i, line in enumerate(lines):
            n = i + 1
            m = re.match(r"^[a-z].*?\b(\w+)\(", line)
            if m and not line.endswith(";"):
                function = m.group(1)
            if is_comment(line) or line.lstrip().startswith("#"):
                continue
            # what runs once, before any interrupt can see the objects
            # (boot, cache creation, a fresh slab or sheaf): not a
            # re-entrancy path
            if re.search(r"init|create|boot|setup|new_slab|allocate_slab|alloc_empty_sheaf"
                         r"|open|destroy|flush_all|flush_cpu_slab", function):
                continue
            code = line.split("/*")[0]
            # drop-context-check
            if is_condition(code):
                for name in ["in_nmi()", "in_hardirq()", "irqs_disabled()"]:
                    for m in re.finditer(re.escape(name), code):
                        neg = code[:m.start()].endswith("!")
                        new = code[:m.start() - neg] + ("true" if neg else "false") + code[m.end():]
                        add("drop-context-check", path, n, [[n, new + line[len(code):]]])
                for m in re.finditer(r"!preemptible\(\)", code):
                    new = code[:m.start()] + "false" + code[m.end():]
                    add("drop-context-check", path, n, [[n, new + line[len(code):]]])
                for m in re.finditer(r"local_lock_is_locked\(", code):
                    end = call_end(code, m.end() - 1)
                    if end < 0:
                        continue
                    neg = code[:m.start()].endswith("!")
                    new = code[:m.start() - neg] + ("true" if neg else "false") + code[end:]
                    add("drop-context-check", path, n, [[n, new + line[len(code):]]])
                # drop-allow-spin
                for m in re.finditer(r"(!?)\ballow_spin\b(?!\s*=[^=])", code):
                    new = code[:m.start()] + ("false" if m.group(1) else "true") + code[m.end():]
                    add("drop-allow-spin", path, n, [[n, new + line[len(code):]]])
                for m in re.finditer(r"(!?)gfpflags_allow_spinning\(", code):
                    end = call_end(code, m.end() - 1)
                    if end < 0:
                        continue
                    new = code[:m.start()] + ("false" if m.group(1) else "true") + code[end:]
                    add("drop-allow-spin", path, n, [[n, new + line[len(code):]]])
            # trylock-to-lock
            for m in re.finditer(r"\b(spin|raw_spin|local)_trylock(_irqsave)?\(", code):
                end = call_end(code, m.end() - 1)
                if end < 0:
                    continue
                args = code[m.end():end - 1]
                lock = f"{m.group(1)}_lock{m.group(2) or ''}({args})"
                new = code[:m.start()] + f"({lock}, true)" + code[end:]
                add("trylock-to-lock", path, n, [[n, new + line[len(code):]]])
            # drop-tid-bump
            for m in re.finditer(r"\bnext_tid\(", code):
                end = call_end(code, m.end() - 1)
                if end < 0:
                    continue
                new = code[:m.start()] + "(" + code[m.end():end - 1] + ")" + code[end:]
                add("drop-tid-bump", path, n, [[n, new + line[len(code):]]])
            # cmpxchg-to-load-store
            for m in re.finditer(r"\b(try_cmpxchg128|cmpxchg)\(", code):
                end = call_end(code, m.end() - 1)
                if end < 0:
                    continue
                args = split_args(code[m.end():end - 1])
                if len(args) != 3:
                    continue
                p, old, new_v = args
                if m.group(1) == "cmpxchg":
                    repl = (f"({{ __typeof__(*({p})) mut_cur_ = *({p}); "
                            f"if (mut_cur_ == ({old})) *({p}) = ({new_v}); mut_cur_; }})")
                else:
                    repl = (f"({{ bool mut_ok_ = *({p}) == *({old}); "
                            f"if (mut_ok_) *({p}) = ({new_v}); else *({old}) = *({p}); mut_ok_; }})")
                add("cmpxchg-to-load-store", path, n,
                    [[n, code[:m.start()] + repl + code[end:] + line[len(code):]]])
            # drop-preempt-pair: the statement and its partner later in the function
            pairs = {"preempt_disable();": "preempt_enable();",
                     "migrate_disable();": "migrate_enable();"}
            t = code.strip()
            guarded = i > 0 and re.match(r"^\s*(if|else|for|while)\b.*\)\s*$", lines[i - 1].split("/*")[0])
            if t in pairs and not guarded:
                for j in range(i + 1, len(lines)):
                    if lines[j].startswith("}"):
                        break
                    if lines[j].strip().split("/*")[0].strip() == pairs[t]:
                        add("drop-preempt-pair", path, n, [[n, None], [j + 1, None]])
                        break
            m = re.match(r"\s*local_irq_save\((\w+)\);", code)
            if m and not guarded:
                for j in range(i + 1, len(lines)):
                    if lines[j].startswith("}"):
                        break
                    if re.match(rf"\s*local_irq_restore\({m.group(1)}\);", lines[j]):
                        add("drop-preempt-pair", path, n, [[n, None], [j + 1, None]])
                        break
            # swap-stores: two adjacent single-line stores to memory
            store = re.compile(r"^\s*[\w>.\[\]()*-]*(->|\[|\*)[\w>.\[\]()*-]*\s*=[^=].*;\s*$")
            if i + 1 < len(lines) and store.match(code) and store.match(lines[i + 1].split("/*")[0]) \
                    and not re.match(r"^\s*(struct|unsigned|int|bool|void|const|u\d+|long)\b", code) \
                    and not re.match(r"^\s*(struct|unsigned|int|bool|void|const|u\d+|long)\b", lines[i + 1]):
                add("swap-stores", path, n, [[n, lines[i + 1]], [n + 1, line]])
    for k, m in enumerate(out):
        m["id"] = k + 1
    return out


def apply(src, mutant, dest):
    with open(f"{src}/{mutant['file']}") as f:
        lines = f.read().split("\n")
    for line, text in mutant["edits"]:
        lines[line - 1] = text
    lines = [l for l in lines if l is not None]
    with open(f"{dest}/{mutant['file']}", "w") as f:
        f.write("\n".join(lines))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    src = sys.argv[1]
    ms = mutants(src)
    if len(sys.argv) == 5 and sys.argv[2] == "--apply":
        apply(src, ms[int(sys.argv[3]) - 1], sys.argv[4])
        return
    for m in ms:
        print(json.dumps(m))


if __name__ == "__main__":
    main()
