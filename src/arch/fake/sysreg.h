/* The fake architecture's system registers and instructions (host tests
 * only; arch/arm64/sysreg.h includes this under ELVISOR_FAKE_ARCH). A
 * register is known by the name the code spells, after macro expansion and
 * in lower case ("cntvoff_el2", "s3_5_c14_c2_1"): reads and writes reach a
 * register file in memory; barriers, TLB maintenance, address translation
 * and WFI do nothing but are logged, in order with the register writes
 * (arch/fake/fake.h reads both). */
#ifndef ELVISOR_ARCH_FAKE_SYSREG_H
#define ELVISOR_ARCH_FAKE_SYSREG_H

#include <stdint.h>

#define SYSREG_STR_(x) #x
#define SYSREG_STR(x) SYSREG_STR_(x)

uint64_t fake_read_sysreg(const char *name);
void fake_write_sysreg(const char *name, uint64_t v);
void fake_insn(const char *what);
void fake_at(const char *what, uint64_t va);
void fake_wfi(void);

#define read_sysreg(reg)        fake_read_sysreg(SYSREG_STR(reg))
#define write_sysreg(reg, v)    fake_write_sysreg(SYSREG_STR(reg), (uint64_t)(v))
#define read_sysreg_s(sys)      read_sysreg(sys##_S)
#define write_sysreg_s(sys, v)  write_sysreg(sys##_S, v)
#define isb()                   fake_insn("isb")
#define dsb(o)                  fake_insn("dsb " #o)
#define wfi()                   fake_wfi()
#define sev()                   fake_insn("sev")
#define tlbi(op)                fake_insn("tlbi " #op)
#define dc_cvac(va)             fake_at("dc cvac", (uint64_t)(va))
#define sys_at(crm, op2, va)    fake_at("at c7, c" #crm ", " #op2, (va))

#endif
