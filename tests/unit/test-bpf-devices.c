/* The device program against the real kernel: the generated program passes
 * the verifier when loaded without a log (also a long rule list, which
 * with a verifier log of the old fixed size failed with ENOSPC from about
 * 15 rules on), and a program the verifier refuses still fails with the
 * verifier's reason in the message (the load is retried with a log only
 * then).  Needs bpf(2) (root); counted as skipped otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "tap.h"

/* Not a cgroup: attach fails (EBADF or similar), but only after the load,
 * which is what these tests look at. */
static int not_a_cgroup(void)
{
	return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* "allow everything" (r0 = 1; exit) loads iff bpf(2) is usable here. */
static bool bpf_usable(void)
{
	struct bpf_insn ok[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)ok;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "Apache-2.0";
	_cleanup_close_ int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd >= 0;
}

static void test_generated_program_loads(size_t n_rules)
{
	_cleanup_free_ struct cg_dev_rule *rules = vs_malloc0(n_rules * sizeof(*rules));
	rules[0] =
	    (struct cg_dev_rule){false, 'a', -1, -1, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE};
	for (size_t i = 1; i < n_rules; i++)
		rules[i] =
		    (struct cg_dev_rule){i % 2, i % 3 ? 'c' : 'b', (int64_t)i, (int64_t)(i * 7),
					 CG_DEV_READ | (i % 2 ? CG_DEV_WRITE : 0)};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = 0;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_bpf_dev_generate(rules, n_rules, &p, &n, &err), ==, 0);
	_cleanup_close_ int fd = not_a_cgroup();
	int r = cg_bpf_dev_install(fd, p, n, &err);
	/* The load passed iff the failure is the attach's. */
	CHECK_INT(r, ==, -1);
	CHECK(err.msg && strstr(err.msg, "BPF_PROG_ATTACH"), "loaded; only the attach failed");
	if (err.msg && !strstr(err.msg, "BPF_PROG_ATTACH"))
		printf("#   %zu rules, %zu insns: %s\n", n_rules, n, err.msg);
	vs_error_clear(&err);
}

/* r0 is never set before the exit: the verifier's "R0 !read_ok". */
static void test_refused_program_names_the_reason(void)
{
	struct bpf_insn bad[] = {
	    {.code = BPF_JMP | BPF_EXIT},
	};
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_close_ int fd = not_a_cgroup();
	CHECK_INT(cg_bpf_dev_install(fd, bad, 1, &err), ==, -1);
	CHECK_INT(err.errnum, ==, EACCES);
	CHECK(err.msg && strstr(err.msg, "bpf(BPF_PROG_LOAD) of 1 instructions"),
	      "the error names the load");
	/* The reason, not the start of the instruction trace before it. */
	CHECK(err.msg && strstr(err.msg, "verifier: R0 !read_ok"),
	      "the error carries the verifier's reason");
	printf("#   %s\n", err.msg ? err.msg : "(null)");
	vs_error_clear(&err);
}

int main(void)
{
	if (!bpf_usable()) {
		printf("ok 1 # SKIP bpf(2) cannot load a device program here\n1..1\n");
		return 0;
	}
	test_generated_program_loads(3);
	test_generated_program_loads(200);
	test_refused_program_names_the_reason();
	return tap_done();
}
