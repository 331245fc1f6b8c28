/* runtime/seccomp: compile profiles, load them in forked children and check
 * what the kernel then does to the child's syscalls. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp.h"
#include "tap.h"

/* ---- building profiles ------------------------------------------------- */

static char *S(const char *s)
{
	return vs_strdup(s);
}

static struct oci_seccomp *profile(const char *default_action)
{
	struct oci_seccomp *s = vs_malloc0(sizeof(*s));
	s->default_action = S(default_action);
	s->syscalls = vs_malloc0(8 * sizeof(*s->syscalls));
	return s;
}

static struct oci_seccomp_syscall *rule(struct oci_seccomp *s, const char *action, ...)
{
	struct oci_seccomp_syscall *r = &s->syscalls[s->n_syscalls++];
	va_list ap;
	r->action = S(action);
	va_start(ap, action);
	for (const char *n; (n = va_arg(ap, const char *));)
		vs_strv_push(&r->names, n);
	va_end(ap);
	r->args = vs_malloc0(6 * sizeof(*r->args));
	return r;
}

static void arg(struct oci_seccomp_syscall *r, uint32_t index, const char *op, uint64_t v,
		uint64_t v2)
{
	r->args[r->n_args++] = (struct oci_seccomp_arg){index, v, v2, S(op)};
}

static void errno_ret(struct oci_seccomp_syscall *r, uint32_t e)
{
	r->errno_ret = (oci_opt_u32){true, e};
}

/* ---- running a child under a filter ------------------------------------ */

/* What an ASan/UBSan runtime calls in a filtered child (reports, shadow
 * memory); all below exit_group's number, so the ENOSYS limits stay put. */
#define SANITIZER_NEEDS                                                                            \
	"mmap", "munmap", "mprotect", "madvise", "write", "rt_sigprocmask", "sigaltstack"

/* Result of a child: its exit code (the errno it saw, 0 for success,
 * 100+ for harness failures) or 1000+signal when killed. */
static int run_filtered(struct oci_seccomp *s, int (*fn)(void))
{
	struct vs_error err = VS_ERROR_INIT;
	struct sc_filter *f = NULL;
	if (sc_compile(s, &f, &err) < 0) {
		printf("# compile: %s\n", err.msg);
		vs_error_clear(&err);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(100);
		if (sc_load(f, NULL, &err) < 0)
			_exit(101);
		_exit(fn());
	}
	sc_filter_free(f);
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -2;
	return WIFSIGNALED(st) ? 1000 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int errno_of(long r)
{
	return r < 0 ? errno : 0;
}

static int do_getppid(void)
{
	return errno_of(syscall(SYS_getppid));
}
static int do_getpid(void)
{
	return errno_of(syscall(SYS_getpid));
}
static int do_keyctl(void)
{
	return errno_of(syscall(SYS_keyctl, 0, 0, 0, 0, 0));
}
static int do_clone3(void)
{
	return errno_of(syscall(SYS_clone3, NULL, 0));
}
static int do_unshare_uts(void)
{
	return errno_of(unshare(CLONE_NEWUTS));
}
static int do_pers_query(void)
{
	return errno_of(personality(0xffffffff));
}
static int do_pers_rie(void)
{
	return errno_of(personality(READ_IMPLIES_EXEC));
}
static int do_pers_linux32(void)
{
	return errno_of(personality(PER_LINUX32));
}
static int do_pers_zero(void)
{
	return errno_of(personality(PER_LINUX));
}
static int do_kill_0_0(void)
{
	return errno_of(kill(0, 0));
}
static int do_kill_self_0(void)
{
	return errno_of(kill(getpid(), 0));
}
static int do_pers_addr(void)
{
	return errno_of(personality(ADDR_NO_RANDOMIZE));
}

static int do_fork(void)
{
	pid_t p = fork();
	if (p < 0)
		return errno;
	if (p == 0)
		_exit(0);
	int st;
	return waitpid(p, &st, 0) == p && WIFEXITED(st) ? 0 : 102;
}

static int do_clone_newuts(void)
{
	long p = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (p == 0)
		_exit(0);
	if (p > 0)
		waitpid((pid_t)p, NULL, 0);
	return errno_of(p);
}

/* i386 getpid (20) through the 32-bit entry point: a filter without
 * SCMP_ARCH_X86 must not let this through as "some other syscall". */
static int do_getpid32(void)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r < 0 ? (int)-r : 0;
#else
	return 103;
#endif
}

/* ---- tests ------------------------------------------------------------ */

static void expect_compile_error(struct oci_seccomp *s, const char *needle)
{
	struct vs_error err = VS_ERROR_INIT;
	struct sc_filter *f = NULL;
	int r = sc_compile(s, &f, &err);
	CHECK_INT(r, <, 0);
	CHECK(f == NULL, "no filter on error");
	bool ok = err.msg && strstr(err.msg, needle);
	CHECK(ok, needle);
	if (!ok)
		printf("#   message: %s\n", err.msg ? err.msg : "(none)");
	vs_error_clear(&err);
	sc_profile_free(s);
}

static void test_errno_actions(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	errno_ret(rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 42);
	CHECK_INT(run_filtered(s, do_getppid), ==, 42);
	CHECK_INT(run_filtered(s, do_getpid), ==, 0);
	sc_profile_free(s);

	/* errnoRet absent: EPERM. */
	s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	CHECK_INT(run_filtered(s, do_getppid), ==, EPERM);
	sc_profile_free(s);

	/* defaultErrnoRet. */
	s = profile("SCMP_ACT_ERRNO");
	s->default_errno_ret = (oci_opt_u32){true, EACCES};
	rule(s, "SCMP_ACT_ALLOW", "exit_group", "exit", "getpid", SANITIZER_NEEDS, NULL);
	CHECK_INT(run_filtered(s, do_getppid), ==, EACCES);
	CHECK_INT(run_filtered(s, do_getpid), ==, 0);
	sc_profile_free(s);
}

static void test_kill_actions(void)
{
	const char *kills[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
			       "SCMP_ACT_TRAP"};
	for (size_t i = 0; i < ARRAY_SIZE(kills); i++) {
		struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
		rule(s, kills[i], "getppid", NULL);
		printf("# %s\n", kills[i]);
		CHECK_INT(run_filtered(s, do_getppid), ==, 1000 + SIGSYS);
		CHECK_INT(run_filtered(s, do_getpid), ==, 0);
		sc_profile_free(s);
	}
	/* LOG allows (and logs). */
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_LOG", "getppid", NULL);
	CHECK_INT(run_filtered(s, do_getppid), ==, 0);
	sc_profile_free(s);
}

static void test_args(void)
{
	/* personality allowed for one value only. */
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	struct oci_seccomp_syscall *r = rule(s, "SCMP_ACT_ERRNO", "personality", NULL);
	arg(r, 0, "SCMP_CMP_NE", 0xffffffff, 0);
	CHECK_INT(run_filtered(s, do_pers_query), ==, 0);
	CHECK_INT(run_filtered(s, do_pers_rie), ==, EPERM);
	sc_profile_free(s);

	/* Two conditions on one argument are ORed (one rule each). */
	s = profile("SCMP_ACT_ALLOW");
	r = rule(s, "SCMP_ACT_ERRNO", "personality", NULL);
	arg(r, 0, "SCMP_CMP_EQ", READ_IMPLIES_EXEC, 0);
	arg(r, 0, "SCMP_CMP_EQ", ADDR_NO_RANDOMIZE, 0);
	CHECK_INT(run_filtered(s, do_pers_rie), ==, EPERM);
	CHECK_INT(run_filtered(s, do_pers_addr), ==, EPERM);
	CHECK_INT(run_filtered(s, do_pers_query), ==, 0);
	sc_profile_free(s);

	/* MASKED_EQ: value is the mask, valueTwo the expected result. */
	s = profile("SCMP_ACT_ALLOW");
	r = rule(s, "SCMP_ACT_ERRNO", "clone", NULL);
	errno_ret(r, 77);
	arg(r, 0, "SCMP_CMP_MASKED_EQ", CLONE_NEWUTS, CLONE_NEWUTS);
	CHECK_INT(run_filtered(s, do_clone_newuts), ==, 77);
	CHECK_INT(run_filtered(s, do_fork), ==, 0);
	sc_profile_free(s);

	/* Ordering operators. */
	s = profile("SCMP_ACT_ALLOW");
	arg(rule(s, "SCMP_ACT_ERRNO", "personality", NULL), 0, "SCMP_CMP_GT", PER_LINUX32, 0);
	CHECK_INT(run_filtered(s, do_pers_linux32), ==, 0);
	CHECK_INT(run_filtered(s, do_pers_rie), ==, EPERM);
	sc_profile_free(s);
	s = profile("SCMP_ACT_ALLOW");
	arg(rule(s, "SCMP_ACT_ERRNO", "personality", NULL), 0, "SCMP_CMP_LT", PER_LINUX32, 0);
	CHECK_INT(run_filtered(s, do_pers_linux32), ==, 0);
	CHECK_INT(run_filtered(s, do_pers_zero), ==, EPERM);
	sc_profile_free(s);
	s = profile("SCMP_ACT_ALLOW");
	arg(rule(s, "SCMP_ACT_ERRNO", "personality", NULL), 0, "SCMP_CMP_GE", PER_LINUX32, 0);
	CHECK_INT(run_filtered(s, do_pers_linux32), ==, EPERM);
	CHECK_INT(run_filtered(s, do_pers_zero), ==, 0);
	sc_profile_free(s);
	s = profile("SCMP_ACT_ALLOW");
	arg(rule(s, "SCMP_ACT_ERRNO", "personality", NULL), 0, "SCMP_CMP_LE", PER_LINUX32, 0);
	CHECK_INT(run_filtered(s, do_pers_linux32), ==, EPERM);
	CHECK_INT(run_filtered(s, do_pers_rie), ==, 0);
	sc_profile_free(s);

	/* Conditions on different arguments are ANDed. */
	s = profile("SCMP_ACT_ALLOW");
	r = rule(s, "SCMP_ACT_ERRNO", "kill", NULL);
	arg(r, 0, "SCMP_CMP_EQ", 0, 0);
	arg(r, 1, "SCMP_CMP_EQ", 0, 0);
	CHECK_INT(run_filtered(s, do_kill_0_0), ==, EPERM);
	CHECK_INT(run_filtered(s, do_kill_self_0), ==, 0);
	sc_profile_free(s);
}

static void test_unknown_name_skipped(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	errno_ret(rule(s, "SCMP_ACT_ERRNO", "no_such_syscall_xyz", "getppid", NULL), 9);
	CHECK_INT(run_filtered(s, do_getppid), ==, 9);
	sc_profile_free(s);
}

static bool have_int80(void)
{
#if defined(__x86_64__)
	return do_getpid32() == 0;
#else
	return false;
#endif
}

static void test_architectures(void)
{
	if (!have_int80()) {
		CHECK(1, "# SKIP no ia32 emulation");
		return;
	}
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	vs_strv_push(&s->architectures, "SCMP_ARCH_X86_64");
	vs_strv_push(&s->architectures, "SCMP_ARCH_X86");
	errno_ret(rule(s, "SCMP_ACT_ERRNO", "getpid", NULL), 55);
	CHECK_INT(run_filtered(s, do_getpid), ==, 55);
	CHECK_INT(run_filtered(s, do_getpid32), ==, 55);
	sc_profile_free(s);

	/* Without the x86 ABI in the list, its syscalls hit the bad-arch
	 * action (kill) instead of slipping past the x86_64 rules. */
	s = profile("SCMP_ACT_ALLOW");
	errno_ret(rule(s, "SCMP_ACT_ERRNO", "getpid", NULL), 55);
	CHECK_INT(run_filtered(s, do_getpid32), ==, 1000 + SIGSYS);
	sc_profile_free(s);
}

static void test_flags(void)
{
	const char *flags[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
			       "SECCOMP_FILTER_FLAG_TSYNC"};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
		vs_strv_push(&s->flags, flags[i]);
		errno_ret(rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 12);
		printf("# %s\n", flags[i]);
		CHECK_INT(run_filtered(s, do_getppid), ==, 12);
		sc_profile_free(s);
	}
}

static void test_default_profile(void)
{
	struct oci_seccomp *s = sc_default_profile();
	struct vs_error err = VS_ERROR_INIT;
	struct sc_filter *f = NULL;

	CHECK_STR(s->default_action, "SCMP_ACT_ERRNO");
	CHECK_INT(s->default_errno_ret.value, ==, EPERM);
#if defined(__x86_64__)
	CHECK(vs_strv_contains(s->architectures, "SCMP_ARCH_X86_64"), "x86_64 listed");
	CHECK(vs_strv_contains(s->architectures, "SCMP_ARCH_X86"), "x86 listed");
	CHECK(!vs_strv_contains(s->architectures, "SCMP_ARCH_AARCH64"), "no foreign arch");
#endif
	CHECK_INT(sc_compile(s, &f, &err), ==, 0);
	printf("# default profile: %zu BPF instructions\n", sc_filter_size(f));
	CHECK_INT(sc_filter_size(f), <, 4096);
	sc_filter_free(f);

	CHECK_INT(run_filtered(s, do_getpid), ==, 0);
	CHECK_INT(run_filtered(s, do_fork), ==, 0);
	CHECK_INT(run_filtered(s, do_keyctl), ==, EPERM);
	CHECK_INT(run_filtered(s, do_clone3), ==, ENOSYS);
	CHECK_INT(run_filtered(s, do_unshare_uts), ==, EPERM);
	CHECK_INT(run_filtered(s, do_clone_newuts), ==, EPERM);
	CHECK_INT(run_filtered(s, do_pers_query), ==, 0);
	CHECK_INT(run_filtered(s, do_pers_linux32), ==, 0);
	CHECK_INT(run_filtered(s, do_pers_rie), ==, EPERM);
	sc_profile_free(s);
}

static int do_nr1000(void)
{
	return errno_of(syscall(1000));
}
static int do_nr300(void)
{
	return errno_of(syscall(300));
}

static int do_nr1000_32(void)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(1000L) : "memory");
	return r < 0 ? (int)-r : 0;
#else
	return 103;
#endif
}

/* Syscalls above the highest one a profile names get ENOSYS (libc falls
 * back on it), others keep the profile's errno. */
static void test_enosys_stub(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ERRNO");
	s->default_errno_ret = (oci_opt_u32){true, EACCES};
	rule(s, "SCMP_ACT_ALLOW", "exit_group", "exit", "getpid", SANITIZER_NEEDS, NULL);
	CHECK_INT(run_filtered(s, do_getppid), ==, EACCES); /* 110 < exit_group 231 */
	CHECK_INT(run_filtered(s, do_nr300), ==, ENOSYS);
	sc_profile_free(s);

	s = sc_default_profile();
	CHECK_INT(run_filtered(s, do_nr1000), ==, ENOSYS);
	CHECK_INT(run_filtered(s, do_keyctl), ==, EPERM);
	if (have_int80())
		CHECK_INT(run_filtered(s, do_nr1000_32), ==, ENOSYS);
	sc_profile_free(s);

	/* Not for deny-lists, nor when the default already is ENOSYS. */
	const char *defaults[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"};
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		struct vs_error err = VS_ERROR_INIT;
		struct sc_filter *with = NULL, *without = NULL;
		s = profile(defaults[i]);
		if (i == 1)
			s->default_errno_ret = (oci_opt_u32){true, ENOSYS};
		rule(s, "SCMP_ACT_KILL", "keyctl", NULL);
		CHECK_INT(sc_compile(s, &without, &err), ==, 0);
		s->default_errno_ret = (oci_opt_u32){i == 1, EPERM};
		sc_profile_free(s);
		s = profile("SCMP_ACT_ERRNO");
		rule(s, "SCMP_ACT_KILL", "keyctl", NULL);
		CHECK_INT(sc_compile(s, &with, &err), ==, 0);
		printf("# %s: %zu insns, ERRNO(EPERM): %zu\n", defaults[i], sc_filter_size(without),
		       sc_filter_size(with));
		CHECK_INT(sc_filter_size(without), <, sc_filter_size(with));
		sc_filter_free(with);
		sc_filter_free(without);
		sc_profile_free(s);
	}
}

/* What vessel's init does after loading (the list in seccomp.h), each with
 * harmless arguments: the default profile must not refuse any of it.  Exit
 * code: the number of the first call refused with EPERM or ENOSYS, else 0. */
static int do_runtime_calls(void)
{
	struct msghdr mh = {0};
	cpu_set_t set;
	int p[2], n = 0;
	long fd;
#define REFUSED(call)                                                                              \
	do {                                                                                       \
		n++;                                                                               \
		if ((call) < 0 && (errno == EPERM || errno == ENOSYS))                             \
			return n;                                                                  \
	} while (0)
	REFUSED(syscall(SYS_close_range, 1000, 1001, 0));
	REFUSED(syscall(SYS_fcntl, 0, F_GETFD));
	REFUSED(syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0));
	REFUSED(syscall(SYS_sendmsg, -1, &mh, 0));
	REFUSED(syscall(SYS_recvmsg, -1, &mh, 0));
	REFUSED(fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | O_CLOEXEC));
	REFUSED(syscall(SYS_write, (int)fd, "0", 1));
	REFUSED(syscall(SYS_close, (int)fd));
	sched_getaffinity(0, sizeof(set), &set);
	REFUSED(syscall(SYS_sched_setaffinity, 0, sizeof(set), &set));
	REFUSED(syscall(SYS_pipe2, p, O_CLOEXEC));
	REFUSED(syscall(SYS_wait4, -1, NULL, WNOHANG, NULL));
	REFUSED(syscall(SYS_pidfd_open, getpid(), 0));
	REFUSED(syscall(SYS_kill, getpid(), 0));
	REFUSED(syscall(SYS_capget, NULL, NULL));
	REFUSED(syscall(SYS_execve, "/nonexistent/x", NULL, NULL));
#undef REFUSED
	return 0;
}

static void test_runtime_calls_allowed(void)
{
	struct oci_seccomp *s = sc_default_profile();
	CHECK_INT(run_filtered(s, do_runtime_calls), ==, 0);
	sc_profile_free(s);
}

static void test_config_errors(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_BOGUS", "getpid", NULL);
	expect_compile_error(s,
			     "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BOGUS\"");

	s = profile("SCMP_ACT_NOPE");
	expect_compile_error(s, "linux.seccomp.defaultAction: unknown action");

	s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_ERRNO", "getpid", NULL);
	arg(rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 0, "SCMP_CMP_SIMILAR", 1, 0);
	expect_compile_error(s, "linux.seccomp.syscalls[1].args[0]: unknown operator");

	s = profile("SCMP_ACT_ALLOW");
	arg(rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 6, "SCMP_CMP_EQ", 1, 0);
	expect_compile_error(s, "linux.seccomp.syscalls[0].args[0].index: 6 is out of range");

	s = profile("SCMP_ACT_ALLOW");
	vs_strv_push(&s->architectures, "SCMP_ARCH_X86_64");
	vs_strv_push(&s->architectures, "SCMP_ARCH_Z80");
	expect_compile_error(s, "linux.seccomp.architectures[1]: unknown architecture");

	s = profile("SCMP_ACT_ALLOW");
	vs_strv_push(&s->flags, "SECCOMP_FILTER_FLAG_FAST");
	expect_compile_error(s, "linux.seccomp.flags[0]: unknown flag");

	s = profile("SCMP_ACT_ALLOW");
	errno_ret(rule(s, "SCMP_ACT_KILL", "getppid", NULL), 1);
	expect_compile_error(s, "syscalls[0].action: SCMP_ACT_KILL does not take an errno");

	s = profile("SCMP_ACT_KILL");
	s->default_errno_ret = (oci_opt_u32){true, 1};
	expect_compile_error(s, "defaultAction: SCMP_ACT_KILL does not take an errno");

	s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_ERRNO", NULL);
	expect_compile_error(s, "syscalls[0].names: must list at least one syscall");
}

static void test_listener_config_errors(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	rule(s, "SCMP_ACT_NOTIFY", "mkdir", NULL);
	expect_compile_error(s, "linux.seccomp.listenerPath: required");

	s = profile("SCMP_ACT_ALLOW");
	s->listener_metadata = S("x");
	expect_compile_error(s, "listenerMetadata: set without listenerPath");

	s = profile("SCMP_ACT_NOTIFY");
	s->listener_path = S("/run/x.sock");
	expect_compile_error(s, "SCMP_ACT_NOTIFY cannot be the default");

	s = profile("SCMP_ACT_ALLOW");
	s->listener_path = S("/run/x.sock");
	rule(s, "SCMP_ACT_NOTIFY", "write", NULL);
	expect_compile_error(s, "SCMP_ACT_NOTIFY cannot be used for the write syscall");

	struct sc_filter *f = (struct sc_filter *)1;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(sc_compile(NULL, &f, &err), ==, 0);
	CHECK(f == NULL, "no seccomp section, no filter");
	CHECK_INT(sc_load(NULL, NULL, &err), ==, 0);
}

/* Without no_new_privs, loading needs CAP_SYS_ADMIN: the ordering rule in
 * seccomp.h.  A child that dropped it gets a clear error. */
static void test_load_needs_cap_without_nnp(void)
{
	struct oci_seccomp *s = profile("SCMP_ACT_ALLOW");
	struct vs_error err = VS_ERROR_INIT;
	struct sc_filter *f = NULL;
	int fds[2];
	rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	CHECK_INT(sc_compile(s, &f, &err), ==, 0);
	CHECK_INT(pipe2(fds, O_CLOEXEC), ==, 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* uid 0 -> 65534 clears the effective and permitted sets. */
		if (setresuid(65534, 65534, 65534) < 0)
			_exit(100);
		int r = sc_load(f, NULL, &err);
		if (r < 0)
			(void)!write(fds[1], err.msg, strlen(err.msg));
		_exit(r < 0 ? 1 : 0);
	}
	close(fds[1]);
	char buf[512] = "";
	(void)!read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	CHECK_INT(WEXITSTATUS(st), ==, 1);
	CHECK(strstr(buf, "CAP_SYS_ADMIN") != NULL, "error explains the CAP_SYS_ADMIN rule");
	printf("#   %s\n", buf);
	sc_filter_free(f);
	sc_profile_free(s);
}

int main(void)
{
	test_errno_actions();
	test_kill_actions();
	test_args();
	test_unknown_name_skipped();
	test_architectures();
	test_flags();
	test_default_profile();
	test_enosys_stub();
	test_runtime_calls_allowed();
	test_config_errors();
	test_listener_config_errors();
	test_load_needs_cap_without_nnp();
	return tap_done();
}
