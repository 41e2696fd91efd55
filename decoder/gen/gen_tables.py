#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generates the decoder's opcode tables from decoder/isa/*.isa.

Usage: python3 decoder/gen/gen_tables.py [--check]

Writes decoder/generated/tables.c, decoder/generated/form_shapes.inc,
decoder/generated/vex_shapes.inc and include/x86assist/mnemonics.h. With --check, writes
nothing and exits 1 when the committed files are not current.
The format of the .isa files is described in decoder/isa/README.md.
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ISA_DIR = os.path.join(ROOT, "decoder", "isa")
OUT_C = os.path.join(ROOT, "decoder", "generated", "tables.c")
OUT_H = os.path.join(ROOT, "include", "x86assist", "mnemonics.h")
OUT_INC = os.path.join(ROOT, "decoder", "generated", "form_shapes.inc")
OUT_VEX_INC = os.path.join(ROOT, "decoder", "generated", "vex_shapes.inc")


class IsaError(Exception):
    pass


SPACES = ["LEGACY", "0F", "0F38", "0F3A", "3DNOW", "VEX_0F", "VEX_0F38", "VEX_0F3A",
          "EVEX_0F", "EVEX_0F38", "EVEX_0F3A", "EVEX_MAP5", "EVEX_MAP6",
          "XOP_8", "XOP_9", "XOP_A"]

# Filter kinds in the order the tree tests them, with their child values.
KINDS = [
    ("MODE", [0, 1, 2, 3]),
    ("VENDOR", [0, 1]),
    ("MP", [0, 1, 2, 3]),
    ("MOD", [0, 1]),
    ("REG", list(range(8))),
    ("RM", list(range(8))),
    ("L", [0, 1, 2, 3]),
    ("W", [0, 1]),
    ("OSZ", [0, 1, 2]),
    ("ASZ", [0, 1, 2]),
    ("REXB", [0, 1]),
]
KIND_INDEX = {k: i + 1 for i, (k, _) in enumerate(KINDS)}
NODE_KIND_NAMES = {"MODE": "XAI_N_MODE", "VENDOR": "XAI_N_VENDOR", "MP": "XAI_N_MP",
                   "MOD": "XAI_N_MOD", "REG": "XAI_N_REG", "RM": "XAI_N_RM", "L": "XAI_N_L",
                   "W": "XAI_N_W", "OSZ": "XAI_N_OSZ", "ASZ": "XAI_N_ASZ", "REXB": "XAI_N_REXB"}

MP_VALUES = {"NP": 0, "66": 1, "F3": 2, "F2": 3}

LOCS = ["BNDG", "BNDE", "Acc", "STi", "KG", "KE", "KR", "KH", "TE", "TH", "A",
        "E", "M", "R", "G", "V", "W", "U", "H", "B", "L", "P", "Q", "N", "S", "C", "D",
        "T", "Z", "I", "J", "O"]
LOC_ENUM = {"E": "E", "M": "M", "R": "R", "G": "G", "V": "V", "W": "W", "U": "U", "H": "H",
            "B": "B", "L": "L", "P": "P", "Q": "Q", "N": "N", "S": "S", "C": "C", "D": "D",
            "KG": "KG", "KE": "KE", "KR": "KR", "KH": "KH", "T": "T", "TE": "TE", "TH": "TH",
            "BNDG": "BNDG", "BNDE": "BNDE", "Z": "Z", "I": "I", "J": "J", "O": "O", "A": "AP", "Acc": "ACC", "STi": "STI"}
SIZES = {"0": "0", "b": "B", "bs": "BS", "kh": "KH", "as": "AS", "w": "W", "d": "D", "q": "Q", "dq": "DQ", "qq": "QQ", "zq": "ZQ",
         "t": "T", "v": "V", "z": "Z", "y": "Y", "n": "N", "x": "X", "h": "H", "q4": "Q4",
         "o8": "O8", "p": "P", "s": "S", "a": "A", "env": "ENV", "st": "ST", "fx": "FX",
         "xs": "XS"}
ACCESS = {"r": "R", "w": "W", "rw": "RW", "cw": "CW", "crw": "CRW", "n": "N"}
FIXED_REGS = {}
for i, n in enumerate(["AL", "CL", "DL", "BL", "AH", "CH", "DH", "BH"]):
    FIXED_REGS[n] = "XA_REG_" + n
for n in ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "EAX", "ECX", "EDX", "EBX",
          "ESP", "EBP", "ESI", "EDI", "RAX", "RCX", "RDX", "RBX", "ES", "CS", "SS", "DS",
          "FS", "GS"]:
    FIXED_REGS[n] = "XA_REG_" + n
FIXED_REGS["ST0"] = "XA_REG_ST0"
FIXED_REGS["ST1"] = "XA_REG_ST0 + 1"
FIXED_REGS["XMM0"] = "XA_REG_XMM0"
FIXED_REGS["CR8"] = "XA_REG_CR0 + 8"

ATTRS = {"lock": "LOCK", "hle": "HLE", "rep": "REP", "repcc": "REPCC", "d64": "D64",
         "f64": "F64", "bnd": "BND", "notrack": "NOTRACK", "branch": "BRANCH", "priv": "PRIV",
         "aligned": "ALIGNED", "vsib": "VSIB", "k": "K", "z": "Z", "kreq": "KREQ", "er": "ER",
         "sae": "SAE", "b2": "B2", "b4": "B4", "b8": "B8", "vsibh": "VSIBH",
         "modreg": "MODREG", "distinct": "DISTINCT", "t1s1": "T1S1", "t1s2": "T1S2",
         "t1s4": "T1S4", "t1s8": "T1S8", "mpx64": "MPX64", "norip": "NORIP"}

# Table attributes that are also public xa_insn.attributes bits.
PUBLIC_ATTRS = {"XAI_A_LOCK": "XA_ATTR_LOCKABLE", "XAI_A_REP": "XA_ATTR_REP",
                "XAI_A_REPCC": "XA_ATTR_REPCC", "XAI_A_BRANCH": "XA_ATTR_BRANCH",
                "XAI_A_PRIV": "XA_ATTR_PRIVILEGED", "XAI_A_VSIB": "XA_ATTR_VSIB",
                "XAI_A_VSIBH": "XA_ATTR_VSIB", "XAI_A_ALIGNED": "XA_ATTR_SSE_ALIGNED"}

# Operand locations that need ModRM, and those that force mod=3 or mod!=3.
MODRM_LOCS = {"BNDG", "BNDE", "E", "M", "R", "G", "V", "W", "U", "P", "Q", "N", "S", "C", "D", "KG", "KE",
              "KR", "T", "TE", "STi"}
MEM_ONLY = {"M"}
REG_ONLY = {"R", "U", "N", "KR", "STi", "TE"}
VVVV_LOCS = {"H", "B", "KH", "TH"}
IMM_LOCS = {"I", "J", "O", "A", "L"}


# Immediate bytes of the sizes that depend on nothing but the operand size 16, 32, 64.
IMM_SIZE_BY_OSZ = {"XAI_SZ_B": (1, 1, 1), "XAI_SZ_BS": (1, 1, 1), "XAI_SZ_W": (2, 2, 2),
                   "XAI_SZ_D": (4, 4, 4), "XAI_SZ_Q": (8, 8, 8), "XAI_SZ_V": (2, 4, 8),
                   "XAI_SZ_Z": (2, 4, 4), "XAI_SZ_Y": (4, 4, 8)}
IMM_RUNTIME = 0xFF  # xai_def.imm_bytes: the decoder counts the bytes itself

# Operand bytes by operand size 16, 32, 64 of the sizes that depend on nothing else
# (decode.c's size_by_osz); xai_opdef.bytes is 0 for the others.
OP_BYTES_BY_OSZ = dict(IMM_SIZE_BY_OSZ)
OP_BYTES_BY_OSZ.update({"XAI_SZ_DQ": (16, 16, 16), "XAI_SZ_QQ": (32, 32, 32),
                        "XAI_SZ_ZQ": (64, 64, 64), "XAI_SZ_T": (10, 10, 10),
                        "XAI_SZ_P": (4, 6, 10), "XAI_SZ_A": (4, 8, 16),
                        "XAI_SZ_ENV": (14, 28, 28), "XAI_SZ_ST": (94, 108, 108),
                        "XAI_SZ_KH": (48, 48, 48)})


def opdef_text(op):
    loc, size, acc = op
    b = OP_BYTES_BY_OSZ.get(size, (0, 0, 0)) if loc != "XAI_LOC_FIXED" else (0, 0, 0)
    return "{%s, %s, %s, {%d, %d, %d}}" % (loc, size, acc, b[0], b[1], b[2])


def immediate_bytes(ops):
    """The immediate bytes of a definition for operand sizes 16, 32, 64 (what
    decode.c's immediate_bytes() computes), or IMM_RUNTIME three times when they
    depend on more than the operand size (a moffs address, an unusual size)."""
    total = [0, 0, 0]
    for i, (loc, size, _acc) in enumerate(ops):
        for k, os in enumerate((2, 4, 8)):
            if loc == "XAI_LOC_I":
                if any(o[0] == "XAI_LOC_L" for o in ops[:i]):
                    continue  # an imm4 after an is4 register shares its byte
                if size not in IMM_SIZE_BY_OSZ:
                    return [IMM_RUNTIME] * 3
                total[k] += IMM_SIZE_BY_OSZ[size][k]
            elif loc == "XAI_LOC_J":
                total[k] += 1 if size == "XAI_SZ_B" else 2 if os == 2 else 4
            elif loc == "XAI_LOC_O":
                return [IMM_RUNTIME] * 3
            elif loc == "XAI_LOC_AP":
                total[k] += 4 if os == 2 else 6
            elif loc == "XAI_LOC_L":
                total[k] += 1
    return total


# Fast-path operand templates (struct xai_optmpl): each operand of a legacy-encoded
# definition as xa_decode builds it, for operand size 16, 32, 64, so that the decoder only
# adds the register number or reads the immediate. Definitions whose operands need more
# (checks, vvvv, VSIB, a mode-dependent size, moffs...) are not marked fast and take the
# general path.
FULL_BYTES_BY_OSZ = dict(OP_BYTES_BY_OSZ)
FULL_BYTES_BY_OSZ.update({"XAI_SZ_FX": (512, 512, 512), "XAI_SZ_XS": (576, 576, 576),
                          "XAI_SZ_0": (0, 0, 0)})
LEGACY_VL_BYTES = {"XAI_SZ_X": 16, "XAI_SZ_H": 8, "XAI_SZ_Q4": 4, "XAI_SZ_O8": 2}
VL_CODES = {"XAI_SZ_X", "XAI_SZ_H", "XAI_SZ_Q4", "XAI_SZ_O8", "XAI_SZ_QQ", "XAI_SZ_ZQ"}


def fixed_reg_width(expr):
    name = expr.replace("XA_REG_", "").split()[0]
    if name in ("AL", "CL", "DL", "BL", "AH", "CH", "DH", "BH"):
        return 1
    if name in ("AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "ES", "CS", "SS", "DS", "FS",
                "GS"):
        return 2
    if name.startswith("E"):
        return 4
    if name.startswith("R") or name == "CR0":
        return 8
    return {"ST0": 10, "XMM0": 16}[name]


def gpr_base(sz):
    return {2: "XA_REG_AX", 8: "XA_REG_RAX"}.get(sz, "XA_REG_EAX")


def vreg_base(sz):
    return "XA_REG_ZMM0" if sz >= 64 else "XA_REG_YMM0" if sz == 32 else "XA_REG_XMM0"


def legacy_templates(d):
    """The three templates (operand size 16, 32, 64) of a definition as lists of C
    initialisers, or None when its operands need the general path."""
    if d.attrs & {"XAI_A_VSIB", "XAI_A_VSIBH", "XAI_A_DISTINCT", "XAI_A_NORIP",
                  "XAI_A_MPX64"}:
        return None
    if IMM_RUNTIME in immediate_bytes(d.ops):
        return None
    rm_ops = [o for o in d.ops if o[0] in ("XAI_LOC_E", "XAI_LOC_M", "XAI_LOC_R", "XAI_LOC_W",
                                           "XAI_LOC_U", "XAI_LOC_Q", "XAI_LOC_N")]
    if len(rm_ops) > 1:
        return None
    out = []
    for k, os in enumerate((2, 4, 8)):
        nimm = 0
        t = []
        for loc, size, acc in d.ops:
            if loc == "XAI_LOC_FIXED":
                t.append((1, acc, fixed_reg_width(size), size, 0, 0, "FIXED", 0))
                continue
            if size in FULL_BYTES_BY_OSZ:
                sz = FULL_BYTES_BY_OSZ[size][k]
            elif size in LEGACY_VL_BYTES:
                sz = LEGACY_VL_BYTES[size]
            else:
                return None  # depends on the mode
            vsz = (16 if sz < 16 else sz) if size in VL_CODES else 16
            if loc in ("XAI_LOC_E", "XAI_LOC_M", "XAI_LOC_R", "XAI_LOC_G", "XAI_LOC_Z"):
                field = {"XAI_LOC_G": "REG", "XAI_LOC_Z": "OPC"}.get(loc, "RM")
                if sz == 1:
                    t.append((1, acc, 1, "XA_REG_AL", 0, sz, field + "8", 0))
                else:
                    t.append((1, acc, sz, gpr_base(sz), 0, sz, field, 0))
            elif loc == "XAI_LOC_ACC":
                t.append((1, acc, sz, "XA_REG_AL" if sz == 1 else gpr_base(sz), 0, 0, "FIXED", 0))
            elif loc == "XAI_LOC_V":
                t.append((1, acc, vsz, vreg_base(vsz), 0, 0, "REG", 0))
            elif loc in ("XAI_LOC_W", "XAI_LOC_U"):
                t.append((1, acc, vsz, vreg_base(vsz), 0, sz, "RM", 0))
            elif loc == "XAI_LOC_P":
                t.append((1, acc, 8, "XA_REG_MM0", 0, 0, "REGN", 0))
            elif loc in ("XAI_LOC_Q", "XAI_LOC_N"):
                t.append((1, acc, 8, "XA_REG_MM0", 0, sz, "RMN", 0))
            elif loc == "XAI_LOC_STI":
                t.append((1, acc, 10, "XA_REG_ST0", 0, 0, "RMN", 0))
            elif loc == "XAI_LOC_ONE":
                t.append((3, acc, 1, 0, nimm & 1, 0, "ONE", 0))
                nimm += 1
            elif loc == "XAI_LOC_I":
                n = os if size == "XAI_SZ_V" else sz
                opsz = os if size == "XAI_SZ_BS" or (size == "XAI_SZ_Z" and os == 8) else n
                t.append((3, acc, opsz, 0, nimm & 1, 0, "IMM", n))
                nimm += 1
            elif loc == "XAI_LOC_J":
                n = 1 if size == "XAI_SZ_B" else 2 if os == 2 else 4
                t.append((4, acc, n, 0, nimm & 1, 0, "REL", n))
                nimm += 1
            else:
                return None
        out.append(t)
    return out


def template_text(e):
    return "{{%d, %s, %d, %s, 0, %d, 0}, %d, XAI_TK_%s, %d}" % e


# Straight-line forms (struct xai_form): a fast definition at one operand size as the
# decoder's output starts, so that xa_decode copies it and adds only what the bytes say.
# REGISTER_KINDS: template kind -> (operand role, XAI_FR_*).
REGISTER_KINDS = {"RM": ("rm", "XAI_FR_REX"), "RM8": ("rm", "XAI_FR_BYTE"),
                  "RMN": ("rm", "XAI_FR_NOREX"), "REG": ("reg", "XAI_FR_REX"),
                  "REG8": ("reg", "XAI_FR_BYTE"), "REGN": ("reg", "XAI_FR_NOREX"),
                  "OPC": ("opc", "XAI_FR_REX"), "OPC8": ("opc", "XAI_FR_BYTE")}


def hot_form(d, k, t):
    """The form of definition d at operand size index k (16, 32, 64) with templates t:
    (C initialiser with %d for the shape, shape), or None when it does not fit struct
    xai_form. The shape is a tuple of (role, XAI_FR_* or (immediate bytes, operand size:
    the bytes of its value kept, 8 for all), operand index)."""
    if len(t) > 3 or d.space > 3 or "XAI_A_MODREG" in d.attrs:  # legacy maps only
        return None
    imm_size = immediate_bytes(d.ops)[k]
    shape = []
    mem_op = "{0, 0, 0, 0, 0, 0, 0}"
    ops = []
    for i, (typ, acc, size, reg, imm_index, mem_size, kind, imm_bytes) in enumerate(t):
        ops.append("{%d, %s, %d, %s, 0, %d, 0}" % (typ, acc, size, reg, imm_index))
        if kind == "FIXED":
            continue
        role, how = REGISTER_KINDS.get(kind, ("imm", None))
        if any(r == role for r, _, _ in shape) or imm_index != 0:
            return None  # two of a kind: the general templates
        if role == "rm":
            mem_op = "{%d, %s, %d, 0, 0, 0, 0}" % (2, acc, mem_size)
        if kind in ("IMM", "REL"):
            if imm_bytes != imm_size or imm_bytes not in (1, 2, 4, 8):
                return None
            how = (imm_bytes, 8 if kind == "REL" or size >= 8 else size)
        elif kind == "ONE":
            how = "ONE"
        shape.append((role, how, i if role != "imm" else None))  # the immediate is imm[0]
    while len(ops) < 3:
        ops.append("{0, 0, 0, 0, 0, 0, 0}")
    public = sorted({PUBLIC_ATTRS[a] for a in d.attrs if a in PUBLIC_ATTRS})
    # (the shape is in the length field, which the decoder stores last)
    head = ("{XA_MNEM_%s, %%d, 0, %d, 0, 0, 0, 0, 0, 0, 0, 0, %d, 0, 0, 0, 0, XA_ISA_%s, 0, 0, 0, "
            "%d, 0, %s, 0}" % (d.mnemonic.upper(), (16, 32, 64)[k], len(d.ops),
                               d.isa.upper().replace(".", "_"), imm_size,
                               " | ".join(public) or "0"))
    return "%s, {%s}, %s" % (head, ", ".join(ops), mem_op), tuple(shape)


def shape_case(n, shape):
    """The case of the generated switch that builds the operands of a shape."""
    names = {"rm": "r/m", "reg": "reg", "opc": "opcode register", "imm": "immediate",
             "vvvv": "vvvv"}
    out = ["case %d: /* %s */" % (n, ", ".join(names[r] + ("" if i is None else " in %d" % i)
                                             for r, _, i in shape) or "nothing to add")]
    for role, how, i in shape:
        if role == "imm":
            out.append("    FORM_ONE();" if how == "ONE" else "    FORM_IMM(%d, %d);" % how)
        elif role == "vvvv":
            out.append("    FORM_VVVV(%d);" % i)
        else:
            out.append("    FORM_%s(%s, %d);" % (role.upper(), how, i))
    out.append("    break;")
    return out


class Line:
    def __init__(self, path, lineno, space, opcode, conds, modrm_required, mnemonic, ops,
                 attrs, isa):
        self.where = "%s:%d" % (os.path.relpath(path, ROOT), lineno)
        self.space = space
        self.opcode = opcode
        self.conds = conds  # kind -> set of values
        self.modrm = modrm_required
        self.mnemonic = mnemonic
        self.ops = ops  # list of (loc, size, access) as C enum names
        self.attrs = attrs  # set of attr enum names
        self.isa = isa


def parse_operand(tok, where):
    tok = tok.strip()
    acc = "r"
    if ":" in tok:
        tok, acc = tok.split(":", 1)
    if acc not in ACCESS:
        raise IsaError("%s: unknown access '%s'" % (where, acc))
    if tok == "1":
        return ("XAI_LOC_ONE", "XAI_SZ_B", "XAI_ACC_" + ACCESS[acc]), None
    # Fixed registers are written in capitals; locations always end in a lowercase size.
    if tok.upper() in FIXED_REGS and tok in (tok.upper(), tok.lower()):
        return ("XAI_LOC_FIXED", FIXED_REGS[tok.upper()], "XAI_ACC_" + ACCESS[acc]), None
    for loc in LOCS:
        if tok.startswith(loc) and tok[len(loc):] in SIZES:
            size = tok[len(loc):]
            return ("XAI_LOC_" + LOC_ENUM[loc], "XAI_SZ_" + SIZES[size],
                    "XAI_ACC_" + ACCESS[acc]), loc
    raise IsaError("%s: cannot read operand '%s'" % (where, tok))


def parse_opcode_column(col, where):
    """Returns (space, [opcodes], conds, modrm_required, mp_used)."""
    toks = col.split()
    conds = {}
    modrm = False
    space = None
    opcodes = []
    mp = None
    i = 0

    def setcond(kind, values):
        if kind in conds:
            raise IsaError("%s: %s given twice" % (where, kind))
        conds[kind] = set(values)

    m = re.match(r"^(VEX|EVEX|XOP)\.(.*)$", toks[0]) if toks else None
    if m:
        enc = m.group(1)
        parts = m.group(2).split(".")
        mapname = None
        for p in parts:
            if p in ("128", "L0", "LZ"):
                setcond("L", [0])
            elif p in ("256", "L1"):
                setcond("L", [1])
            elif p == "512":
                setcond("L", [2])
            elif p == "LIG":
                pass
            elif p in ("66", "F3", "F2"):
                mp = MP_VALUES[p]
            elif p in ("0F", "0F38", "0F3A", "MAP5", "MAP6", "M08", "M09", "M0A"):
                mapname = p
            elif p in ("W0", "W1"):
                setcond("W", [int(p[1])])
            elif p == "WIG":
                pass
            else:
                raise IsaError("%s: unknown %s field '%s'" % (where, enc, p))
        if mapname is None:
            raise IsaError("%s: %s without a map" % (where, enc))
        space = {("VEX", "0F"): 5, ("VEX", "0F38"): 6, ("VEX", "0F3A"): 7,
                 ("EVEX", "0F"): 8, ("EVEX", "0F38"): 9, ("EVEX", "0F3A"): 10,
                 ("EVEX", "MAP5"): 11, ("EVEX", "MAP6"): 12,
                 ("XOP", "M08"): 13, ("XOP", "M09"): 14, ("XOP", "M0A"): 15}.get((enc, mapname))
        if space is None:
            raise IsaError("%s: no map %s for %s" % (where, mapname, enc))
        setcond("MP", [mp if mp is not None else 0])
        i = 1
        opc = toks[i]
        i += 1
        opcodes = [int(opc, 16)]
    else:
        if toks and toks[0] in MP_VALUES:
            mp = MP_VALUES[toks[0]]
            setcond("MP", [mp])
            i = 1
        if i < len(toks) and toks[i] == "REX.W":
            setcond("W", [1])
            i += 1
        hexes = []
        while i < len(toks) and re.match(r"^[0-9A-F]{2}(\+r)?$", toks[i]):
            hexes.append(toks[i])
            i += 1
        if not hexes:
            raise IsaError("%s: no opcode" % where)
        if hexes[0] == "0F" and len(hexes) >= 2 and hexes[1] == "0F":
            space = 4
            rest = hexes[2:]
            modrm = True
            opcodes = None  # the suffix comes after /r
        elif hexes[0] == "0F" and len(hexes) >= 3 and hexes[1] in ("38", "3A"):
            space = 2 if hexes[1] == "38" else 3
            rest = hexes[2:]
        elif hexes[0] == "0F" and len(hexes) >= 2:
            space = 1
            rest = hexes[1:]
        else:
            space = 0
            rest = hexes
        if space != 4:
            first = rest[0]
            if first.endswith("+r"):
                base = int(first[:-2], 16)
                opcodes = [base + k for k in range(8)]
            else:
                opcodes = [int(first, 16)]
            extra = rest[1:]
            if len(extra) > 1:
                raise IsaError("%s: too many opcode bytes" % where)
            if extra:
                mb = int(extra[0], 16)
                modrm = True
                setcond("MOD", [1] if (mb >> 6) == 3 else [0])
                if (mb >> 6) != 3:
                    raise IsaError("%s: exact ModRM must have mod=3" % where)
                setcond("REG", [(mb >> 3) & 7])
                setcond("RM", [mb & 7])
    # The rest: /r, /digit, filters, and the 3DNow! suffix.
    while i < len(toks):
        t = toks[i]
        i += 1
        if t == "/r":
            modrm = True
        elif re.match(r"^/[0-7]$", t):
            modrm = True
            setcond("REG", [int(t[1])])
        elif space == 4 and re.match(r"^[0-9A-F]{2}$", t):
            opcodes = [int(t, 16)]
        elif t == "mem":
            setcond("MOD", [0])
        elif t == "reg":
            setcond("MOD", [1])
        elif re.match(r"^rm=[0-7]$", t):
            setcond("RM", [int(t[3])])
        elif t == "i64":
            setcond("MODE", [0, 1, 2])
        elif t == "o64":
            setcond("MODE", [3])
        elif t == "pmode":
            setcond("MODE", [1, 2, 3])
        elif t == "i64pm":
            setcond("MODE", [1, 2])
        elif t == "no16":
            setcond("MODE", [2, 3])
        elif t in ("os16", "os32", "os64"):
            conds.setdefault("OSZ", set()).add({"os16": 0, "os32": 1, "os64": 2}[t])
        elif t in ("as16", "as32", "as64"):
            conds.setdefault("ASZ", set()).add({"as16": 0, "as32": 1, "as64": 2}[t])
        elif t in ("W0", "W1"):
            setcond("W", [int(t[1])])
        elif t in ("rexb0", "rexb1"):
            setcond("REXB", [int(t[4])])
        elif t in ("intel", "amd"):
            setcond("VENDOR", [0 if t == "intel" else 1])
        else:
            raise IsaError("%s: unknown token '%s'" % (where, t))
    if opcodes is None:
        raise IsaError("%s: 3DNow! line without a suffix byte" % where)
    return space, opcodes, conds, modrm, mp is not None and space < 5


def parse_files():
    lines = []
    isa_sets = ["invalid"]
    mnemonics = set()
    for path in sorted(glob.glob(os.path.join(ISA_DIR, "*.isa"))):
        isa = "base"
        with open(path) as f:
            for lineno, raw in enumerate(f, 1):
                text = raw.split("#", 1)[0].strip()
                if not text:
                    continue
                where = "%s:%d" % (os.path.relpath(path, ROOT), lineno)
                if text.startswith("@isa"):
                    isa = text.split()[1]
                    continue
                fields = [x.strip() for x in text.split("|")]
                if len(fields) < 2 or len(fields) > 4:
                    raise IsaError("%s: expected 2 to 4 fields" % where)
                while len(fields) < 4:
                    fields.append("")
                col, mnem, ops_s, attrs_s = fields
                if not re.match(r"^[a-z][a-z0-9_]*$", mnem):
                    raise IsaError("%s: bad mnemonic '%s'" % (where, mnem))
                space, opcodes, conds, modrm, mp_used = parse_opcode_column(col, where)
                ops = []
                locs = []
                if ops_s:
                    for tok in ops_s.split(","):
                        op, loc = parse_operand(tok, where)
                        ops.append(op)
                        locs.append(loc)
                if len(ops) > 5:
                    raise IsaError("%s: more than 5 operands" % where)
                attrs = set()
                for a in attrs_s.split():
                    if a not in ATTRS:
                        raise IsaError("%s: unknown attribute '%s'" % (where, a))
                    attrs.add("XAI_A_" + ATTRS[a])
                if any(l in MODRM_LOCS for l in locs):
                    modrm = True
                if any(l in MEM_ONLY for l in locs) or ("KE" in locs and False):
                    if "MOD" in conds and conds["MOD"] != {0}:
                        raise IsaError("%s: memory operand on a register form" % where)
                    conds["MOD"] = {0}
                if any(l in REG_ONLY for l in locs) and "XAI_A_MODREG" not in attrs:
                    if "MOD" in conds and conds["MOD"] != {1}:
                        raise IsaError("%s: register-only operand on a memory form" % where)
                    conds["MOD"] = {1}
                if mp_used:
                    attrs.add("XAI_A_MP")
                if space >= 5 and not any(l in VVVV_LOCS for l in locs):
                    attrs.add("XAI_A_NOVVVV")
                if any(l in IMM_LOCS for l in locs):
                    attrs.add("XAI_A_IMM")
                if isa not in isa_sets:
                    isa_sets.append(isa)
                if mnem != "invalid":
                    mnemonics.add(mnem)
                for opc in opcodes:
                    lines.append(Line(path, lineno, space, opc, dict(conds), modrm, mnem,
                                      ops, attrs, isa))
    return lines, isa_sets, sorted(mnemonics)


class Builder:
    def __init__(self):
        self.defs = [None]  # index 0: invalid
        self.def_index = {}
        self.nodes = []
        self.node_index = {}

    def def_ref(self, line):
        key = (line.mnemonic, line.isa, tuple(line.ops), tuple(sorted(line.attrs)))
        if key not in self.def_index:
            self.def_index[key] = len(self.defs)
            self.defs.append(line)
        return self.def_index[key]

    def build(self, lines, depth=0):
        if not lines:
            return 0
        for kind, values in KINDS:
            if any(kind in l.conds for l in lines):
                children = []
                for v in values:
                    sub = [l for l in lines if kind not in l.conds or v in l.conds[kind]]
                    sub = [self.narrow(l, kind) for l in sub]
                    children.append(self.build(sub, depth + 1))
                if all(c == children[0] for c in children):
                    return children[0]
                key = (kind, tuple(children))
                if key not in self.node_index:
                    off = len(self.nodes)
                    self.nodes.append(NODE_KIND_NAMES[kind])
                    self.nodes.extend(children)
                    self.node_index[key] = off
                    if off >= 0x8000:
                        raise IsaError("too many nodes")
                return 0x8000 | self.node_index[key]
        # No filter left: the most specific line wins.
        best = max(l.nspec for l in lines)
        top = [l for l in lines if l.nspec == best]
        if len(top) > 1:
            names = ", ".join("%s (%s)" % (l.mnemonic, l.where) for l in top)
            raise IsaError("ambiguous encoding: " + names)
        if top[0].mnemonic == "invalid":
            return 0  # an explicit hole: these bytes are #UD
        return self.def_ref(top[0])

    @staticmethod
    def narrow(line, kind):
        if kind not in line.conds:
            return line
        copy = Line.__new__(Line)
        copy.__dict__.update(line.__dict__)
        copy.conds = dict(line.conds)
        del copy.conds[kind]
        return copy


def hot64_words(b, roots, has_modrm, def_tmpl, prefilled):
    """xai_hot64_roots and xai_hot64_groups (decoder/tables.h): the decode tree as
    xa_decode's fast_walk runs it in 64-bit mode without legacy prefixes, resolved ahead
    for every ModRM, REX.W, REX.B and vendor; the forms as prefilled(form, map, has
    ModRM, opcode) makes them."""
    def walk(ref, modrm, w, rex_b, vendor):
        while ref & 0x8000:
            off = ref & 0x7FFF
            kind = b.nodes[off]
            v = {"XAI_N_MP": 0, "XAI_N_MOD": int(modrm >> 6 == 3), "XAI_N_REG": (modrm >> 3) & 7,
                 "XAI_N_RM": modrm & 7, "XAI_N_W": w, "XAI_N_L": 0, "XAI_N_MODE": 3,
                 "XAI_N_OSZ": 2 if w else 1, "XAI_N_ASZ": 2, "XAI_N_VENDOR": vendor,
                 "XAI_N_REXB": rex_b}[kind]
            ref = b.nodes[off + 1 + v]
        return ref

    def form(ref, w):
        return def_tmpl[ref][2][3 + 2 + w] if ref else 0  # hot[XAI_HOT_64 + w]

    words = [[0] * 256 for _ in range(4)]
    groups, group_index = [], {}
    for s in range(4):
        for o in range(256):
            ref = roots[s][o]
            modrm = (has_modrm[s][o >> 5] >> (o & 31)) & 1
            word = ref | modrm << 16
            # (ModRM.reg, mod is 3) -> {REX.W: the forms reached}
            seen = {}
            for m in range(256) if modrm else [0]:
                for w in range(2):
                    for rex_b in range(2):
                        for vendor in range(2):
                            key = ((m >> 3) & 7, int(m >> 6 == 3))
                            d = walk(ref, m, w, rex_b, vendor)
                            seen.setdefault((key, w), set()).add(form(d, w))
                            if d and "XAI_FAST_ADDR_ONLY" in def_tmpl[d][0]:
                                word |= 1 << 18  # XAI_HOT64_ADDR_ONLY
            by_w = [set().union(*(f for (k, w), f in seen.items() if w == x)) for x in range(2)]
            if all(len(f) == 1 for f in by_w):
                word |= (prefilled(by_w[0].pop(), s, modrm, o) << 32 |
                         prefilled(by_w[1].pop(), s, modrm, o) << 48)
            elif modrm:
                # (a cell whose forms depend on more, ModRM.rm say, is 0: the tree decides)
                def cell(key):
                    f = seen.get(key, {0})
                    return prefilled(next(iter(f)), s, modrm, o) if len(f) == 1 else 0
                g = tuple((cell(((reg, mod3), 0)), cell(((reg, mod3), 1)))
                          for mod3 in range(2) for reg in range(8))
                if any(f for e in g for f in e):
                    if g not in group_index:
                        group_index[g] = len(groups)
                        groups.append(g)
                    word |= 1 << 17 | group_index[g] << 20  # (bits 32-63 are 0)
            words[s][o] = word
    if len(groups) > 0x1000:
        raise IsaError("too many xai_hot64_groups")
    return words, groups


def hot64_mp_entries(b, roots, has_modrm, def_tmpl, f3, prefilled):
    """xai_hot64_mp (decoder/tables.h): the forms decode_prefixed reaches in 64-bit mode
    after a 66 (f3 false) or an F3 prefix (a REX may follow it) when they depend on REX.W
    and whether ModRM.mod is 3 (REX.B when there is no ModRM) alone, as prefilled(form,
    map, has ModRM, opcode, prefix bits) makes them."""
    def walk(ref, modrm, w, rex_b, vendor):
        while ref & 0x8000:
            off = ref & 0x7FFF
            kind = b.nodes[off]
            v = {"XAI_N_MP": 2 if f3 else 1, "XAI_N_MOD": int(modrm >> 6 == 3),
                 "XAI_N_REG": (modrm >> 3) & 7, "XAI_N_RM": modrm & 7, "XAI_N_W": w,
                 "XAI_N_L": 0, "XAI_N_MODE": 3, "XAI_N_OSZ": 2 if w else 1 if f3 else 0,
                 "XAI_N_ASZ": 2, "XAI_N_VENDOR": vendor, "XAI_N_REXB": rex_b}[kind]
            ref = b.nodes[off + 1 + v]
        return ref

    def form(ref, w, vendor):
        """the form and the prefix bits: what the prefix makes of the definition"""
        if not ref or def_tmpl[ref][0] == "0":  # no definition, or not XAI_FAST
            return 0
        d = b.defs[ref]
        if w:
            opsize = 64
        elif f3:
            opsize = 64 if d.attrs & {"XAI_A_F64", "XAI_A_D64"} else 32
        elif "XAI_A_MP" in d.attrs:
            opsize = 32
        elif "XAI_A_F64" in d.attrs:
            opsize = 16 if vendor == 1 else 64  # AMD keeps 66's 16 bits
        else:
            opsize = 16
        f = def_tmpl[ref][2][opsize >> 5]  # xai_def.form by operand size
        if not f:
            return 0
        pfx = ["XA_PFX_REP" if f3 else "XA_PFX_OPSIZE"]
        if "XAI_A_MP" in d.attrs:
            pfx.append("XA_PFX_MANDATORY")
        if f3 and "XAI_A_HLE" in d.attrs and d.mnemonic in ("xchg", "mov"):
            pfx.append("XA_PFX_XRELEASE")
        return f, " | ".join(pfx)

    entries = [[None] * 256 for _ in range(4)]
    for s in range(4):
        for o in range(256):
            modrm = (has_modrm[s][o >> 5] >> (o & 31)) & 1
            e = []
            for w in range(2):
                for k in range(2):  # mod is 3, or REX.B without ModRM
                    seen = {form(walk(roots[s][o], m, w, rex_b, vendor), w, vendor)
                            for m in (range(256) if modrm else [0])
                            if not modrm or (m >> 6 == 3) == k
                            for rex_b in (range(2) if modrm else [k]) for vendor in range(2)}
                    f = seen.pop() if len(seen) == 1 else 0
                    e.append(prefilled(f[0], s, modrm, o, f[1]) if f else 0)
            entries[s][o] = tuple(e) + (modrm,)
    return entries


# VEX forms (decode.c's decode_vex64): a VEX definition in 64-bit mode at one VEX.L,
# VEX.W and VEX.pp, the output as decode_def makes it with the operands node_operands
# builds (the same struct xai_form). VEX_RM_LOCS: r/m operands -> XAI_FR_* (the opmask
# ignores VEX.B).
VEX_RM_LOCS = {"XAI_LOC_E": "XAI_FR_REX", "XAI_LOC_M": "XAI_FR_REX", "XAI_LOC_R": "XAI_FR_REX",
               "XAI_LOC_W": "XAI_FR_REX", "XAI_LOC_U": "XAI_FR_REX", "XAI_LOC_KE": "XAI_FR_NOREX",
               "XAI_LOC_KR": "XAI_FR_NOREX"}


def vex_size(size, os, vl):
    """decode.c's size_bytes for VEX in 64-bit mode (operand size os bytes, vector length
    vl bytes), or None for a size this does not know."""
    k = {2: 0, 4: 1, 8: 2}[os]
    if size in FULL_BYTES_BY_OSZ and FULL_BYTES_BY_OSZ[size][k]:
        return FULL_BYTES_BY_OSZ[size][k]
    return {"XAI_SZ_AS": 8, "XAI_SZ_V": os, "XAI_SZ_Z": 2 if os == 2 else 4,
            "XAI_SZ_Y": 8 if os == 8 else 4, "XAI_SZ_N": 8, "XAI_SZ_X": vl, "XAI_SZ_H": vl // 2,
            "XAI_SZ_Q4": vl // 4, "XAI_SZ_O8": vl // 8, "XAI_SZ_P": 2 + os, "XAI_SZ_S": 10,
            "XAI_SZ_A": 2 * os, "XAI_SZ_0": 0}.get(size)


def vex_form(d, space, l, w, pp, modrm, rules):
    """The form of VEX definition d in map space (XAI_SP_VEX_*) at VEX.L l, VEX.W w and
    VEX.pp pp, modrm: the opcode takes a ModRM byte; (C initialiser with %d for the shape,
    shape) or None when its operands or rules need the general path. The shape is a tuple
    of (role, XAI_FR_* or (immediate bytes, operand size), operand index); the head's vvvv
    holds the XAI_VR_* rules: XAI_VR_VVVV0 when VEX.vvvv must be 0 (XAI_A_NOVVVV), and
    rules (XAI_VR_REG, XAI_VR_MEM: the other kind of r/m decodes otherwise)."""
    if d.attrs & {"XAI_A_VSIB", "XAI_A_VSIBH", "XAI_A_DISTINCT", "XAI_A_MODREG", "XAI_A_NORIP",
                  "XAI_A_MPX64"} or len(d.ops) > 3:
        return None
    os, vl = (8 if w else 4), (32 if l else 16)
    imm_size = immediate_bytes(d.ops)[os >> 2]
    if imm_size == IMM_RUNTIME:
        return None
    shape, ops = [], []
    mem_op = "{0, 0, 0, 0, 0, 0, 0}"
    for i, (loc, size, acc) in enumerate(d.ops):
        if loc == "XAI_LOC_FIXED":
            ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, fixed_reg_width(size), size))
            continue
        sz = vex_size(size, os, vl)
        if sz is None:
            return None
        vsz = max(16, sz) if size in VL_CODES else 16  # vreg_bytes
        role = how = None
        if loc in VEX_RM_LOCS:
            role, how = "rm", VEX_RM_LOCS[loc]
            mem_op = "{2, %s, %d, 0, 0, 0, 0}" % (acc, sz)
            if loc == "XAI_LOC_M":
                if rules != 4:  # XAI_VR_MEM
                    return None
                ops.append("{0, 0, 0, 0, 0, 0, 0}")  # (the memory operand replaces it)
            elif loc in ("XAI_LOC_KE", "XAI_LOC_KR"):
                ops.append("{1, %s, 8, XA_REG_K0, 0, 0, 0}" % acc)
            elif loc in ("XAI_LOC_W", "XAI_LOC_U"):
                ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, vsz, vreg_base(vsz)))
            elif sz in (2, 4, 8):
                ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, sz, gpr_base(sz)))
            else:
                return None
        elif loc == "XAI_LOC_G" and sz in (2, 4, 8):
            role, how = "reg", "XAI_FR_REX"
            ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, sz, gpr_base(sz)))
        elif loc == "XAI_LOC_V":
            role, how = "reg", "XAI_FR_REX"
            ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, vsz, vreg_base(vsz)))
        elif loc == "XAI_LOC_H":
            role = "vvvv"
            ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, vsz, vreg_base(vsz)))
        elif loc == "XAI_LOC_B" and sz in (2, 4, 8):
            role = "vvvv"
            ops.append("{1, %s, %d, %s, 0, 0, 0}" % (acc, sz, gpr_base(sz)))
        elif loc == "XAI_LOC_I":
            n = os if size == "XAI_SZ_V" else sz
            keep = os if size == "XAI_SZ_BS" or (size == "XAI_SZ_Z" and os == 8) else n
            if n not in (1, 2, 4, 8) or n != imm_size:
                return None
            role, how = "imm", (n, keep)
            ops.append("{3, %s, %d, 0, 0, 0, 0}" % (acc, keep))
        else:
            return None
        if any(r == role for r, _, _ in shape):
            return None
        shape.append((role, how, i if role != "imm" else None))
    while len(ops) < 3:
        ops.append("{0, 0, 0, 0, 0, 0, 0}")
    public = sorted({PUBLIC_ATTRS[a] for a in d.attrs if a in PUBLIC_ATTRS})
    pfx = "XA_PFX_VEX" + (" | XA_PFX_MANDATORY" if "XAI_A_MP" in d.attrs and pp else "")
    head = ("{XA_MNEM_%s, %%d, XA_MODE_64, %d, 64, XA_ENC_VEX, %d, 0, 0, 0, %d, 0, %d, 0, 0, %d, "
            "%d, XA_ISA_%s, 0, 0, 0, %d, 0, %s, %s}" % (
                d.mnemonic.upper(), os * 8, space - 4, int(modrm), len(d.ops), vl,
                int("XAI_A_NOVVVV" in d.attrs) | rules, d.isa.upper().replace(".", "_"), imm_size,
                " | ".join(public) or "0", pfx))
    return "%s, {%s}, %s" % (head, ", ".join(ops), mem_op), tuple(shape)


# Children of a decode-tree node by its kind (decoder/tables.h).
NODE_CHILDREN = {"XAI_N_MP": 4, "XAI_N_MOD": 2, "XAI_N_REG": 8, "XAI_N_RM": 8, "XAI_N_W": 2,
                 "XAI_N_L": 4, "XAI_N_MODE": 4, "XAI_N_OSZ": 3, "XAI_N_ASZ": 3,
                 "XAI_N_VENDOR": 2, "XAI_N_REXB": 2}


def tree_defs(b, ref):
    """The definitions the decode tree at ref can reach."""
    if not ref & 0x8000:
        return {ref} if ref else set()
    off = ref & 0x7FFF
    out = set()
    for c in b.nodes[off + 1:off + 1 + NODE_CHILDREN[b.nodes[off]]]:
        out |= tree_defs(b, c)
    return out


def vex64_words(b, roots, has_modrm, vex_form_index):
    """xai_vex64 (decoder/tables.h): for VEX maps 0F, 0F 38, 0F 3A, each opcode and
    VEX.pp, the forms (vex_form_index(def, space, l, w, pp, modrm, rules): its xai_forms
    index, 0 for none) the decode tree reaches in 64-bit mode by VEX.L and VEX.W when they
    depend on nothing else (ModRM, VEX.B, the vendor), or on nothing else for one kind of
    r/m when the other has no form (rules XAI_VR_REG, XAI_VR_MEM: the decoder checks)."""
    kinds_memo = {}

    def kinds(ref):
        """The node kinds below ref."""
        if not ref & 0x8000:
            return frozenset()
        if ref not in kinds_memo:
            off = ref & 0x7FFF
            kind = b.nodes[off]
            n = NODE_CHILDREN[kind]
            k = {kind}
            for c in b.nodes[off + 1:off + 1 + n]:
                k |= kinds(c)
            kinds_memo[ref] = frozenset(k)
        return kinds_memo[ref]

    def walk(ref, pp, modrm, l, w, rex_b, vendor):
        while ref & 0x8000:
            off = ref & 0x7FFF
            kind = b.nodes[off]
            v = {"XAI_N_MP": pp, "XAI_N_MOD": int(modrm >> 6 == 3), "XAI_N_REG": (modrm >> 3) & 7,
                 "XAI_N_RM": modrm & 7, "XAI_N_W": w, "XAI_N_L": l, "XAI_N_MODE": 3,
                 "XAI_N_OSZ": 2 if w else 1, "XAI_N_ASZ": 2, "XAI_N_VENDOR": vendor,
                 "XAI_N_REXB": rex_b}[kind]
            ref = b.nodes[off + 1 + v]
        return ref

    words = [[[0] * 4 for _ in range(256)] for _ in range(3)]
    for m in range(3):
        s = 5 + m  # XAI_SP_VEX_0F + m
        for o in range(256):
            ref = roots[s][o]
            if not ref:
                continue
            modrm = (has_modrm[s][o >> 5] >> (o & 31)) & 1
            k = kinds(ref)
            if not modrm:
                modrms = [0]
            elif k & {"XAI_N_REG", "XAI_N_RM"}:
                modrms = range(256)
            else:
                modrms = [0, 0xC0]
            bs = range(2) if "XAI_N_REXB" in k else [0]
            vendors = range(2) if "XAI_N_VENDOR" in k else [0]
            for pp in range(4):
                word = 0
                for l in range(2):
                    for w in range(2):
                        seen = [set(), set()]  # defs by r/m: memory, register
                        for mm in modrms:
                            for rex_b in bs:
                                for vendor in vendors:
                                    seen[mm >= 0xC0 or not modrm].add(
                                        walk(ref, pp, mm, l, w, rex_b, vendor))
                        both, f = seen[0] | seen[1], 0
                        if len(both) == 1:
                            d = both.pop()
                            f = vex_form_index(d, s, l, w, pp, modrm, 0) if d else 0
                        elif len(seen[1]) == 1 and 0 not in seen[1]:
                            # (the memory forms to the general path)
                            f = vex_form_index(seen[1].pop(), s, l, w, pp, modrm, 2)
                        elif len(seen[0]) == 1 and 0 not in seen[0]:
                            # (the register forms to the general path)
                            f = vex_form_index(seen[0].pop(), s, l, w, pp, modrm, 4)
                        word |= f << (16 * (l << 1 | w))
                words[m][o][pp] = word
    return words


def addr64_tables():
    """The memory operand of 64-bit addressing (struct xai_addr64, decoder/tables.h) by
    REX.B and ModRM (mod 0..2), and by mod == 0, REX.X/REX.B and SIB."""
    disp = (0, 1, 4)

    def entry(seg, base, index, scale, disp_size, sib):
        return "{{%s, %s, %s, %d}, %d, %d, {0, 0}}" % (seg, base, index, scale, disp_size, sib)

    def gpr(n):
        return "XA_REG_RAX + %d" % n

    out = ["const struct xai_addr64 xai_modrm64[2][192] = {"]
    for rex_b in range(2):
        out.append("    {")
        for modrm in range(192):
            mod, rm = modrm >> 6, modrm & 7
            bs = rm | rex_b << 3
            if rm == 4:  # a SIB byte follows: xai_sib64 has the registers
                e = entry(0, 0, 0, 0, disp[mod], 1)
            elif mod == 0 and rm == 5:
                e = entry("XA_REG_DS", "XA_REG_RIP", 0, 1, 4, 0)
            else:
                e = entry("XA_REG_SS" if bs == 5 else "XA_REG_DS", gpr(bs), 0, 1, disp[mod], 0)
            out.append("        %s, /* %02X */" % (e, modrm))
        out.append("    },")
    out.append("};")
    out.append("")
    out.append("const struct xai_addr64 xai_sib64[2][4][256] = {")
    for mod0 in range(2):
        out.append("    {")
        for xb in range(4):
            out.append("        {")
            for sib in range(256):
                idx = (sib >> 3) & 7 | (xb & 2) << 2
                bs = sib & 7 | (xb & 1) << 3
                index, scale = (gpr(idx), 1 << (sib >> 6)) if idx != 4 else (0, 1)
                if sib & 7 == 5 and mod0:  # no base: disp32
                    e = entry("XA_REG_DS", 0, index, scale, 4, 0)
                else:
                    e = entry("XA_REG_SS" if bs in (4, 5) else "XA_REG_DS", gpr(bs), index,
                              scale, 0, 0)
                out.append("            %s, /* %02X */" % (e, sib))
            out.append("        },")
        out.append("    },")
    out.append("};")
    return out


def generate():
    lines, isa_sets, mnemonics = parse_files()
    for l in lines:
        # More filters win; at equal count a mandatory prefix wins.
        l.nspec = (len(l.conds), "MP" in l.conds)
    by_slot = {}
    for l in lines:
        by_slot.setdefault((l.space, l.opcode), []).append(l)
    b = Builder()
    roots = [[0] * 256 for _ in SPACES]
    has_modrm = [[0] * 8 for _ in SPACES]
    for (space, opc), ls in sorted(by_slot.items()):
        mods = {l.modrm for l in ls}
        if len(mods) != 1:
            raise IsaError("opcode %s %02X: lines disagree on ModRM: %s" % (
                SPACES[space], opc, ", ".join(l.where for l in ls)))
        if mods.pop():
            has_modrm[space][opc >> 5] |= 1 << (opc & 31)
        roots[space][opc] = b.build(ls)
    if len(b.defs) >= 0x8000:
        raise IsaError("too many definitions")

    mnem_enum = ["XA_MNEM_INVALID"] + ["XA_MNEM_" + m.upper() for m in mnemonics]
    out = []
    w = out.append
    w("/* SPDX-License-Identifier: BSD-2-Clause */")
    w("/* GENERATED by decoder/gen/gen_tables.py from decoder/isa/ (the .isa files): do not edit. */")
    w('#include "decoder/tables.h"')
    w("")
    w("const char *const xai_mnemonic_names[] = {")
    w('    "",')
    for m in mnemonics:
        w('    "%s",' % m)
    w("};")
    w("const unsigned xai_mnemonic_count = %d;" % (len(mnemonics) + 1))
    w("")
    tmpl_entries = []
    tmpl_index = {}
    def_tmpl = [None]
    form_entries = ["{{0}, {{0}}, {0}}"]  # 0: no form
    form_index = {}
    shapes = {(): 0}
    opc_defs = set()  # definitions with a form that has an opcode register
    for ref, d in enumerate(b.defs[1:], 1):
        ts = legacy_templates(d)
        refs = []
        forms = []
        for k, t in enumerate(ts or []):
            key = tuple(template_text(e) for e in t)
            if key not in tmpl_index:
                tmpl_index[key] = len(tmpl_entries)
                tmpl_entries.extend(key)
            refs.append(tmpl_index[key])
            f = hot_form(d, k, t)
            if f is not None:
                text, shape = f
                if any(role == "opc" for role, _, _ in shape):
                    opc_defs.add(ref)
                f = "{" + text % shapes.setdefault(shape, len(shapes)) + "}"
                if f not in form_index:
                    form_index[f] = len(form_entries)
                    form_entries.append(f)
            forms.append(form_index.get(f, 0))
        if len(tmpl_entries) >= 0x10000 or len(form_entries) >= 0x10000:
            raise IsaError("too many operand templates or forms")
        addr_only = (len(d.ops) > 1 and d.ops[1] == ("XAI_LOC_M", "XAI_SZ_0", "XAI_ACC_N"))
        flags = "0" if ts is None else "XAI_FAST" + (" | XAI_FAST_ADDR_ONLY" if addr_only else "")
        # XAI_HOT_16, _32, _64 (REX.W clear: f64 and d64 make it 64-bit), _64W
        wide = bool(d.attrs & {"XAI_A_F64", "XAI_A_D64"})
        hot = [forms[0], forms[1], forms[2 if wide else 1], forms[2]] if forms else [0] * 4
        def_tmpl.append((flags, refs or [0, 0, 0], (forms or [0, 0, 0]) + hot))
    # decode.c's FORM_OPC counts on it: a form with an opcode register never has a ModRM
    # byte, so its r/m is never memory.
    for s in range(4):
        for o in range(256):
            if (has_modrm[s][o >> 5] >> (o & 31)) & 1 and tree_defs(b, roots[s][o]) & opc_defs:
                raise IsaError("a form with an opcode register and a ModRM byte: %s %02X"
                               % (SPACES[s], o))

    def prefilled(f, space, modrm, opcode, prefixes="0"):
        """Form f with the facts xa_decode's 64-bit path would store filled in: the mode,
        the address size, the map, the opcode, has_modrm (and seg_override 0); the prefix
        bits for decode_mp's."""
        if not f:
            return 0
        text = form_entries[f]
        end = text.index("}")
        fields = text[2:end].split(", ")  # "{{" then the head's fields
        fields[2], fields[4], fields[6], fields[7], fields[10], fields[24] = (
            "XA_MODE_64", "64", str(space), "0x%02x" % opcode, str(modrm), prefixes)
        text = "{{" + ", ".join(fields) + text[end:]
        if text not in form_index:
            form_index[text] = len(form_entries)
            form_entries.append(text)
        return form_index[text]

    hot_words, groups = hot64_words(b, roots, has_modrm, def_tmpl, prefilled)

    vex_shapes = {(): 0}
    vex_forms = {}

    def vex_form_index(d, space, l, w, pp, modrm, rules):
        key = (d, space, l, w, pp, modrm, rules)
        if key not in vex_forms:
            f = vex_form(b.defs[d], space, l, w, pp, modrm, rules)
            if f is not None:
                text, shape = f
                f = "{" + text % vex_shapes.setdefault(shape, len(vex_shapes)) + "}"
                if f not in form_index:
                    form_index[f] = len(form_entries)
                    form_entries.append(f)
            vex_forms[key] = form_index.get(f, 0)
        return vex_forms[key]

    vex_words = vex64_words(b, roots, has_modrm, vex_form_index)
    mp_entries = [hot64_mp_entries(b, roots, has_modrm, def_tmpl, f3, prefilled)
                  for f3 in range(2)]
    if len(form_entries) >= 0x8000:
        raise IsaError("too many forms")
    if len(form_entries) >= 0x8000:
        raise IsaError("too many forms")
    w("const struct xai_optmpl xai_optmpls[] = {")
    for e in tmpl_entries or ["{{0, 0, 0, 0, 0, 0, 0}, 0, XAI_TK_FIXED, 0}"]:
        w("    %s," % e)
    w("};")
    w("")
    w("const struct xai_form xai_forms[] = {")
    for e in form_entries:
        w("    %s," % e)
    w("};")
    w("")
    w("const struct xai_def xai_defs[] = {")
    w("    {0, 0, 0, 0, 0, {0, 0, 0}, {{0, 0, 0, {0, 0, 0}}}, 0, {0, 0, 0}, {0, 0, 0}, {0, 0, 0, 0}},")
    for d, (fflags, refs, hot) in zip(b.defs[1:], def_tmpl[1:]):
        attrs = " | ".join(sorted(d.attrs)) or "0"
        public = sorted({PUBLIC_ATTRS[a] for a in d.attrs if a in PUBLIC_ATTRS})
        ops = ", ".join(opdef_text(o) for o in d.ops) or "{0, 0, 0, {0, 0, 0}}"
        imm = ", ".join(str(n) for n in immediate_bytes(d.ops))
        w("    {XA_MNEM_%s, XA_ISA_%s, %d, %s, %s, {%s}, {%s}, %s, {%d, %d, %d}, {%d, %d, %d}, "
          "{%d, %d, %d, %d}}, /* %s */" % (
              d.mnemonic.upper(), d.isa.upper().replace(".", "_"), len(d.ops), attrs,
              " | ".join(public) or "0", imm, ops, fflags, refs[0], refs[1], refs[2], *hot,
              d.where))
    w("};")
    w("")
    w("const uint16_t xai_nodes[] = {")
    row = []
    for n in b.nodes + ([0] if not b.nodes else []):
        row.append(str(n) if isinstance(n, int) else n)
        if len(row) == 12:
            w("    " + ", ".join(row) + ",")
            row = []
    if row:
        w("    " + ", ".join(row) + ",")
    w("};")
    w("")
    w("const uint16_t xai_roots[XAI_SP_COUNT][256] = {")
    for s, name in enumerate(SPACES):
        w("    [XAI_SP_%s] = {" % name)
        for r in range(0, 256, 16):
            w("        " + ", ".join("0x%04x" % v for v in roots[s][r:r + 16]) + ",")
        w("    },")
    w("};")
    w("")
    w("const uint32_t xai_has_modrm[XAI_SP_COUNT][8] = {")
    for s, name in enumerate(SPACES):
        w("    [XAI_SP_%s] = {%s}," % (name, ", ".join("0x%08xu" % v for v in has_modrm[s])))
    w("};")
    w("")
    w("const uint32_t xai_legacy_roots[4][256] = {")
    for s in range(4):
        w("    [XAI_SP_%s] = {" % SPACES[s])
        for r in range(0, 256, 8):
            w("        " + ", ".join("0x%05xu" % (roots[s][o] | ((has_modrm[s][o >> 5] >> (o & 31)) & 1) << 16)
                                    for o in range(r, r + 8)) + ",")
        w("    },")
    w("};")
    w("")
    # 64-bit mode without legacy prefixes: the root word above with, when the form the
    # decode tree reaches (xai_def.hot[XAI_HOT_64] or [XAI_HOT_64W]) depends on REX.W
    # alone, both forms; when it depends on REX.W, ModRM.reg and whether ModRM.mod is 3,
    # XAI_HOT64_GROUP and the index of 16 pairs of forms in xai_hot64_groups. These
    # forms are prefilled (above).
    w("const uint64_t xai_hot64_roots[4][256] = {")
    for s in range(4):
        w("    [XAI_SP_%s] = {" % SPACES[s])
        for r in range(0, 256, 4):
            w("        " + ", ".join("0x%016xu" % v for v in hot_words[s][r:r + 4]) + ",")
        w("    },")
    w("};")
    w("")
    w("const struct xai_hotmp xai_hot64_mp[2][4][256] = {")
    for f3 in range(2):
        entries = mp_entries[f3]
        w("    { /* %s */" % ("F3" if f3 else "66"))
        for s in range(4):
            w("        [XAI_SP_%s] = {" % SPACES[s])
            for r in range(0, 256, 2):
                w("            " + ", ".join("{{{0x%04x, 0x%04x}, {0x%04x, 0x%04x}}, %d, {0}}" % e
                                            for e in entries[s][r:r + 2]) + ",")
            w("        },")
        w("    },")
    w("};")
    w("")
    w("const uint64_t xai_vex64[3][256][4] = {")
    for m in range(3):
        w("    [XAI_SP_%s - XAI_SP_VEX_0F] = {" % SPACES[5 + m])
        for o in range(256):
            if any(vex_words[m][o]):
                w("        [0x%02x] = {%s}," % (
                    o, ", ".join("0x%016xu" % v for v in vex_words[m][o])))
        w("    },")
    w("};")
    w("")
    w("const uint16_t xai_hot64_groups[][16][2] = {")
    for g in groups or [[(0, 0)] * 16]:
        w("    {%s}," % ", ".join("{%d, %d}" % e for e in g))
    w("};")
    w("")
    out.extend(addr64_tables())
    c_text = "\n".join(out) + "\n"

    inc = ["/* SPDX-License-Identifier: BSD-2-Clause */",
           "/* GENERATED by decoder/gen/gen_tables.py from decoder/isa/ (the .isa files): do not edit."
           " */",
           "/* The cases of the switch on a form's shape (head.length) in decode.c's emit_form. */"]
    for shape, n in sorted(shapes.items(), key=lambda e: e[1]):
        inc.extend(shape_case(n, shape))
    inc_text = "\n".join(inc) + "\n"
    vinc = ["/* SPDX-License-Identifier: BSD-2-Clause */",
            "/* GENERATED by decoder/gen/gen_tables.py from decoder/isa/ (the .isa files): do not"
            " edit. */",
            "/* The cases of the switch on a VEX form's shape in decode.c's emit_form"
            " (decode_vex64). */"]
    for shape, n in sorted(vex_shapes.items(), key=lambda e: e[1]):
        vinc.extend(shape_case(n, shape))
    vex_inc_text = "\n".join(vinc) + "\n"

    h = []
    w = h.append
    w("/* SPDX-License-Identifier: BSD-2-Clause */")
    w("/* GENERATED by decoder/gen/gen_tables.py from decoder/isa/ (the .isa files): do not edit. */")
    w("/**")
    w(" * @file mnemonics.h")
    w(" * @brief Instruction mnemonics and ISA sets known to the decoder.")
    w(" */")
    w("#ifndef X86ASSIST_MNEMONICS_H")
    w("#define X86ASSIST_MNEMONICS_H")
    w("")
    w("/** Mnemonics: the lowercase Intel SDM name is xa_mnemonic_name(). */")
    w("enum xa_mnemonic {")
    for e in mnem_enum:
        w("    %s," % e)
    w("    XA_MNEM_COUNT")
    w("};")
    w("")
    w("/** ISA sets: the CPUID feature an instruction belongs to. */")
    w("enum xa_isa_set {")
    for s in isa_sets:
        w("    XA_ISA_%s," % s.upper().replace(".", "_"))
    w("    XA_ISA_COUNT")
    w("};")
    w("")
    w("#endif")
    h_text = "\n".join(h) + "\n"
    return (c_text, h_text, inc_text, vex_inc_text, len(b.defs) - 1, len(b.nodes),
            len(mnemonics))


def main():
    check = "--check" in sys.argv[1:]
    try:
        c_text, h_text, inc_text, vex_inc_text, ndefs, nnodes, nmnem = generate()
    except IsaError as e:
        print("gen_tables: " + str(e), file=sys.stderr)
        return 2
    outputs = ((OUT_C, c_text), (OUT_H, h_text), (OUT_INC, inc_text),
               (OUT_VEX_INC, vex_inc_text))
    if check:
        stale = []
        for path, text in outputs:
            try:
                with open(path) as f:
                    if f.read() != text:
                        stale.append(path)
            except OSError:
                stale.append(path)
        if stale:
            print("gen_tables: out of date: " + ", ".join(os.path.relpath(p, ROOT) for p in stale)
                  + " (run python3 decoder/gen/gen_tables.py)", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(OUT_C), exist_ok=True)
    for path, text in outputs:
        with open(path, "w") as f:
            f.write(text)
    print("gen_tables: %d definitions, %d node words, %d mnemonics" % (ndefs, nnodes, nmnem))
    return 0


if __name__ == "__main__":
    sys.exit(main())
