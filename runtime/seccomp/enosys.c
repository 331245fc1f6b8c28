/* The ENOSYS stub prepended to allow-list filters.
 *
 * A profile is written against the syscalls its author knew.  With a
 * default of ERRNO(EPERM), a syscall added to the kernel later fails with
 * EPERM, and libc only falls back to an older syscall on ENOSYS (glibc's
 * fchmodat2 -> fchmodat, clone3 -> clone, ...), so new programs break under
 * old profiles.  Like runc, vessel answers ENOSYS for every syscall number
 * above the highest one the profile names (per architecture): "this kernel
 * does not have it" is the truth as far as the profile knows.
 *
 * The stub runs before libseccomp's program, which starts by loading the
 * architecture itself, so nothing is carried over:
 *
 *   ld arch
 *   per audit arch A:  jeq A ? : next;  ld nr;  jgt maxA ? ENOSYS : ;  ja END
 *                      (x86_64: jset X32_BIT picks the x32 maximum)
 *   ja END
 *   ENOSYS: ret ERRNO(ENOSYS)
 *   END:    libseccomp's program */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/seccomp/seccomp-internal.h"

#define X32_SYSCALL_BIT 0x40000000u
#define STUB_MAX	64

enum target { T_NONE, T_NEXT, T_ENOSYS, T_END };

struct stub {
	struct sock_filter insn[STUB_MAX];
	enum target jt[STUB_MAX], jf[STUB_MAX];
	size_t n;
	size_t block_start;
};

static void emit(struct stub *s, struct sock_filter in, enum target jt, enum target jf)
{
	s->insn[s->n] = in;
	s->jt[s->n] = jt;
	s->jf[s->n] = jf;
	s->n++;
}

/* Highest syscall number (as the kernel sees it on `arch`) among the names
 * of the profile; -1 when it names none there. */
static int64_t max_nr(const struct oci_seccomp *sc, uint32_t arch)
{
	int64_t max = -1;
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		char **names = sc->syscalls[i].names;
		for (size_t j = 0; names && names[j]; j++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, names[j]);
			/* Negative: not on this arch, or a multiplexed pseudo
			 * number (socketcall, ipc). */
			if (nr >= 0 && nr > max)
				max = nr;
		}
	}
	return max;
}

static void emit_limit(struct stub *s, int64_t max)
{
	if (max >= 0)
		emit(s,
		     (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max, 0, 0),
		     T_ENOSYS, T_NONE);
	emit(s, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), T_END, T_NONE);
}

/* One architecture's block; x32 shares x86_64's audit value and is told
 * apart by a bit of the syscall number. */
static void emit_block(struct stub *s, uint32_t audit, int64_t max, int64_t max_x32)
{
	s->block_start = s->n;
	emit(s, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 0), T_NONE,
	     T_NEXT);
	emit(s,
	     (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, nr)),
	     T_NONE, T_NONE);
	if (audit == AUDIT_ARCH_X86_64) {
		size_t jset = s->n;
		emit(
		    s,
		    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 0),
		    T_NONE, T_NONE);
		emit_limit(s, max);
		s->insn[jset].jt = (uint8_t)(s->n - jset - 1);
		emit_limit(s, max_x32);
	} else {
		emit_limit(s, max);
	}
	/* Patch this block's "not this arch" jump to the next block. */
	s->insn[s->block_start].jf = (uint8_t)(s->n - s->block_start - 1);
	s->jf[s->block_start] = T_NONE;
}

static void resolve_jumps(struct stub *s)
{
	size_t enosys = s->n - 1, end = s->n;
	for (size_t i = 0; i < s->n; i++) {
		if (s->jt[i] == T_ENOSYS)
			s->insn[i].jt = (uint8_t)(enosys - i - 1);
		if (s->jt[i] == T_END) /* only `ja` uses T_END */
			s->insn[i].k = (uint32_t)(end - i - 1);
	}
}

static bool applies(uint32_t default_action)
{
	return (default_action & 0xffff0000u) == SCMP_ACT_ERRNO(0) &&
	       (default_action & 0xffffu) != ENOSYS;
}

int sc_enosys_stub(const struct oci_seccomp *sc, uint32_t default_action, const uint32_t *arches,
		   size_t n_arches, struct sc_filter *f, struct vs_error *err)
{
	struct stub s = {.n = 0};
	int64_t x86_64 = -1, x32 = -1;
	bool have_x86_64 = false, have_x32 = false;

	if (!applies(default_action))
		return 0;
	emit(&s,
	     (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, arch)),
	     T_NONE, T_NONE);
	for (size_t i = 0; i < n_arches; i++) {
		if (arches[i] == SCMP_ARCH_X86_64)
			have_x86_64 = true, x86_64 = max_nr(sc, arches[i]);
		else if (arches[i] == SCMP_ARCH_X32)
			have_x32 = true, x32 = max_nr(sc, arches[i]);
		else if (s.n + 8 < STUB_MAX)
			emit_block(&s, arches[i], max_nr(sc, arches[i]), -1);
	}
	if (have_x86_64 || have_x32)
		emit_block(&s, AUDIT_ARCH_X86_64, x86_64, x32);
	emit(&s, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), T_END, T_NONE);
	emit(&s, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS), T_NONE,
	     T_NONE);
	resolve_jumps(&s);

	if (f->n_insns + s.n > SC_MAX_INSNS)
		return vs_error_set(err,
				    "seccomp: the filter needs %zu BPF instructions, the kernel "
				    "accepts at most %d",
				    f->n_insns + s.n, SC_MAX_INSNS);
	struct sock_filter *all = vs_malloc0((f->n_insns + s.n) * sizeof(*all));
	memcpy(all, s.insn, s.n * sizeof(*all));
	memcpy(all + s.n, f->insns, f->n_insns * sizeof(*all));
	free(f->insns);
	f->insns = all;
	f->n_insns = (unsigned short)(f->n_insns + s.n);
	return 0;
}
