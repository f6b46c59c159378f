# gen-sysreg.awk: the system-register database (src/arch/arm64/sysreg.db)
# to a C header (build/gen/arch/arm64/sysreg-defs.h). Run by make:
#
#   awk -f tools/gen-sysreg.awk src/arch/arm64/sysreg.db > sysreg-defs.h
#
# Written for any POSIX awk (Debian's default is mawk, which has no bitwise
# functions and holds numbers in doubles): 64-bit masks are therefore built
# as 64 bits in an array and printed a nibble at a time, never computed as
# numbers. The format is described in docs/sysreg.md.
#
# On any error: "FILE:LINE: message" on stderr, exit status 1 and nothing on
# stdout, so a broken database stops the build instead of producing a
# header with a hole in it.

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function emit(line) {
    out[nout++] = line
}

# Every macro the header defines goes through here, so that two entries
# that would produce the same name (a register and a field layout with the
# same prefix, a field called MASK...) are an error, not a silent redefinition.
function define(name, value) {
    if (name in defined)
        fail("macro " name " would be defined twice (first at line " defined[name] ")")
    defined[name] = FNR
    emit(sprintf("#define %-40s %s", name, value))
}

function is_name(s) {
    return s ~ /^[A-Za-z][A-Za-z0-9_]*$/
}

function dec(s, lo, hi, what) {
    if (s !~ /^[0-9]+$/ || s + 0 < lo || s + 0 > hi)
        fail(what " must be a decimal number from " lo " to " hi ", not '" s "'")
    return s + 0
}

function expect_fields(n, usage) {
    if (NF != n)
        fail("expected '" usage "'")
}

# "msb:lsb" or "bit" into msb and lsb; the fields of a block must come from
# the most significant bit down (as in the Arm ARM register diagrams) and
# must not overlap.
function parse_bits(s,    parts, n) {
    n = split(s, parts, ":")
    if (n == 1)
        parts[2] = parts[1]
    else if (n != 2)
        fail("bit range must be 'msb:lsb' or 'bit', not '" s "'")
    msb = dec(parts[1], 0, 63, "msb")
    lsb = dec(parts[2], 0, 63, "lsb")
    if (lsb > msb)
        fail("bit range " s " has its lsb above its msb")
    if (msb >= next_bit)
        fail("bits " s " overlap or come after bits already described (fields go from bit 63 down)")
    next_bit = lsb
}

# 64-bit mask of bits lsb..msb as 0x + 16 hex digits.
function mask_hex(hi, lo,    b, i) {
    for (i = 0; i < 64; i++)
        b[i] = (i >= lo && i <= hi)
    return bits_hex(b)
}

function bits_hex(b,    s, i, v) {
    s = ""
    for (i = 60; i >= 0; i -= 4) {
        v = b[i] + 2 * b[i + 1] + 4 * b[i + 2] + 8 * b[i + 3]
        s = s substr("0123456789abcdef", v + 1, 1)
    }
    return "0x" s "ULL"
}

function start_block(kind, name) {
    if (block != "")
        fail(kind " inside " block " " prefix " (missing End" block "?)")
    if (!is_name(name))
        fail("'" name "' is not a valid register name")
    block = kind
    prefix = name
    next_bit = 64
    has_res0 = has_res1 = has_fields = uses_fields = 0
    vncr = ""
    for (i = 0; i < 64; i++) {
        res0[i] = 0
        res1[i] = 0
    }
    emit("")
}

function end_block(kind,    res) {
    if (block != kind)
        fail("End" kind " without " kind)
    if (enum_open)
        fail("End" kind " inside Enum " enum_field " (missing EndEnum?)")
    if (has_res0) {
        define(prefix "_RES0", bits_hex(res0))
        layout_res0[prefix] = 1
    }
    if (has_res1) {
        define(prefix "_RES1", bits_hex(res1))
        layout_res1[prefix] = 1
    }
    if (kind == "SysregFields")
        layout_seen[prefix] = 1
    if (kind == "Sysreg")
        list[nlist++] = sprintf("    X(%s, %s, \"%s\", %s)", prefix, key_of[prefix], op_of[prefix],
                                vncr == "" ? "SYSREG_NO_VNCR" : vncr)
    block = ""
}

function need_block(what) {
    if (block == "")
        fail(what " outside a Sysreg or SysregFields block")
    if (enum_open)
        fail(what " inside Enum " enum_field " (missing EndEnum?)")
    if (uses_fields)
        fail(what " in a block that takes its layout from 'Fields'")
}

function field(name, kind) {
    if (!is_name(name))
        fail("'" name "' is not a valid field name")
    has_fields = 1
    define(prefix "_" name "_SHIFT", lsb)
    define(prefix "_" name "_WIDTH", msb - lsb + 1)
    define(prefix "_" name "_MASK", mask_hex(msb, lsb))
    define(prefix "_" name, prefix "_" name "_MASK")
    field_width = msb - lsb + 1
}

BEGIN {
    block = ""
    nout = nlist = 0
    failed = 0
}

# Comments and blank lines.
{ sub(/#.*/, "") }
NF == 0 { next }

enum_open && $1 != "EndEnum" {
    expect_fields(2, "0b<value> <name>")
    if ($1 !~ /^0b[01]+$/)
        fail("enum value must be written 0b<binary>, not '" $1 "'")
    if (length($1) - 2 != field_width)
        fail("enum value " $1 " does not have the field's " field_width " bits")
    v = 0
    for (i = 3; i <= length($1); i++)
        v = v * 2 + substr($1, i, 1)
    # The name follows the field's: "4K" and "16" are fine here.
    if ($2 !~ /^[A-Za-z0-9_]+$/)
        fail("'" $2 "' is not a valid enum value name")
    define(prefix "_" enum_field "_" $2, sprintf("0x%xULL", v))
    next
}

$1 == "Sysreg" {
    expect_fields(7, "Sysreg <name> <op0> <op1> <CRn> <CRm> <op2>")
    start_block("Sysreg", $2)
    op0 = dec($3, 0, 3, "op0"); op1 = dec($4, 0, 7, "op1"); crn = dec($5, 0, 15, "CRn")
    crm = dec($6, 0, 15, "CRm"); op2 = dec($7, 0, 7, "op2")
    # The key layout of SYSREG_KEY() in core/esr.h: op0:op1:CRn:CRm:op2,
    # which is also bits [20:5] of the MRS/MSR instruction.
    key = sprintf("0x%04xu", op0 * 16384 + op1 * 2048 + crn * 128 + crm * 8 + op2)
    if (key in reg_of_key)
        fail($2 " has the encoding of " reg_of_key[key] " (" $3 " " $4 " " $5 " " $6 " " $7 ")")
    reg_of_key[key] = $2
    key_of[$2] = key
    op_of[$2] = sprintf("S%d_%d_C%d_C%d_%d", op0, op1, crn, crm, op2)
    define("SYS_" $2, key)
    define("SYS_" $2 "_S", op_of[$2])
    next
}

$1 == "SysregFields" {
    expect_fields(2, "SysregFields <name>")
    start_block("SysregFields", $2)
    next
}

$1 == "EndSysreg" {
    expect_fields(1, "EndSysreg")
    end_block("Sysreg")
    next
}

$1 == "EndSysregFields" {
    expect_fields(1, "EndSysregFields")
    end_block("SysregFields")
    next
}

$1 == "Field" {
    expect_fields(3, "Field <msb>[:<lsb>] <name>")
    need_block("Field")
    parse_bits($2)
    field($3)
    next
}

$1 == "Enum" || $1 == "SignedEnum" || $1 == "UnsignedEnum" {
    expect_fields(3, $1 " <msb>[:<lsb>] <name>")
    need_block($1)
    parse_bits($2)
    field($3)
    enum_open = 1
    enum_field = $3
    next
}

$1 == "EndEnum" {
    expect_fields(1, "EndEnum")
    if (!enum_open)
        fail("EndEnum without Enum")
    enum_open = 0
    next
}

$1 == "Res0" || $1 == "Res1" || $1 == "Unkn" {
    expect_fields(2, $1 " <msb>[:<lsb>]")
    need_block($1)
    parse_bits($2)
    for (i = lsb; i <= msb; i++) {
        if ($1 == "Res0")
            res0[i] = 1
        else if ($1 == "Res1")
            res1[i] = 1
    }
    if ($1 == "Res0")
        has_res0 = 1
    else if ($1 == "Res1")
        has_res1 = 1
    next
}

# A register whose layout is a SysregFields block: its field macros keep
# the layout's name (one set for ICH_LR0..15_EL2), its RES0/RES1 masks get
# the register's name too.
$1 == "Fields" {
    expect_fields(2, "Fields <SysregFields name>")
    if (block != "Sysreg")
        fail("Fields outside a Sysreg block")
    if (has_fields || has_res0 || has_res1 || uses_fields)
        fail("Fields in a block that already describes its bits")
    if (!($2 in layout_seen))
        fail("Fields " $2 ": no SysregFields " $2 " above")
    uses_fields = 1
    if ($2 in layout_res0)
        define(prefix "_RES0", $2 "_RES0")
    if ($2 in layout_res1)
        define(prefix "_RES1", $2 "_RES1")
    next
}

# Our extension: the register's byte offset in the VNCR page (FEAT_NV2).
$1 == "Vncr" {
    expect_fields(2, "Vncr 0x<offset>")
    if (block != "Sysreg")
        fail("Vncr outside a Sysreg block")
    if (vncr != "")
        fail("second Vncr line for " prefix)
    if ($2 !~ /^0x[0-9a-fA-F]+$/)
        fail("VNCR offset must be hexadecimal (0x...), not '" $2 "'")
    off = 0
    for (i = 3; i <= length($2); i++)
        off = off * 16 + index("0123456789abcdef", tolower(substr($2, i, 1))) - 1
    if (off % 8 != 0 || off >= 4096)
        fail("VNCR offset " $2 " is not a multiple of 8 inside the 4 KiB page")
    # Upper-case digits as in the Arm ARM's table (and nested/vncr.h).
    vncr = sprintf("0x%03Xu", off)
    if (vncr in reg_of_vncr)
        fail("VNCR offset " $2 " is already " reg_of_vncr[vncr] "'s")
    reg_of_vncr[vncr] = prefix
    define("VNCR_" prefix, vncr)
    next
}

{ fail("unknown line '" $1 "' (expected Sysreg, SysregFields, Field, Enum, Res0, Res1, Unkn, Fields, Vncr or End...)") }

END {
    if (failed)
        exit 1
    if (block != "") {
        printf "%s:%d: end of file inside %s %s (missing End%s?)\n", FILENAME, FNR, block, prefix,
               block > "/dev/stderr"
        exit 1
    }
    print "/* Generated by tools/gen-sysreg.awk from src/arch/arm64/sysreg.db: do not edit."
    print " * SYS_<reg> is the SYSREG_KEY() of the register and, through"
    print " * read_sysreg_s()/write_sysreg_s(), its assembler name SYS_<reg>_S. */"
    print "#ifndef ELVISOR_GEN_SYSREG_DEFS_H"
    print "#define ELVISOR_GEN_SYSREG_DEFS_H"
    print ""
    print "/* The VNCR column of SYSREG_DB_LIST for a register without a slot. */"
    print "#define SYSREG_NO_VNCR 0xffffu"
    for (i = 0; i < nout; i++)
        print out[i]
    print ""
    print "/* Every register: X(name, key, \"assembler name\", VNCR offset). */"
    print "#define SYSREG_DB_LIST(X) \\"
    for (i = 0; i < nlist; i++)
        print list[i] " \\"
    print ""
    print "#define SYSREG_DB_COUNT " nlist
    print ""
    print "#endif"
}
