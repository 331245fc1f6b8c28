/* linux.seccomp -> BPF, in the parent.
 *
 * libseccomp builds the filter and exports the raw BPF program; sc_load()
 * installs it with seccomp(2) directly.  Going through the exported program
 * instead of seccomp_load() means the child never calls into libseccomp
 * (which allocates), and lets us pass seccomp(2) flags that libseccomp 2.5
 * has no attribute for (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV). */
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp-internal.h"
#include "runtime/seccomp/seccomp.h"

#define SC_PATH "linux.seccomp"

static void sc_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ _cleanup_(sc_ctx_releasep)

static void sc_filter_freep(struct sc_filter **f)
{
	sc_filter_free(*f);
}

void sc_filter_free(struct sc_filter *filter)
{
	if (!filter)
		return;
	free(filter->insns);
	free(filter->listener_path);
	free(filter->listener_metadata);
	free(filter);
}

const char *sc_filter_listener_path(const struct sc_filter *filter)
{
	return filter ? filter->listener_path : NULL;
}

const char *sc_filter_listener_metadata(const struct sc_filter *filter)
{
	return filter ? filter->listener_metadata : NULL;
}

size_t sc_filter_size(const struct sc_filter *filter)
{
	return filter ? filter->n_insns : 0;
}

/* errnoRet only makes sense for ERRNO and TRACE; the spec says a runtime
 * MUST fail when it is given to another action. */
static int action_resolve(const char *name, const oci_opt_u32 *errno_ret, const char *where,
			  uint32_t *ret, struct vs_error *err)
{
	uint32_t data = errno_ret->set ? errno_ret->value : EPERM;
	bool takes_errno = false;

	if (!name)
		return vs_error_set(err, "%s: missing action", where);
	if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*ret = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*ret = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*ret = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*ret = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*ret = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		*ret = SCMP_ACT_NOTIFY;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		takes_errno = true, *ret = SCMP_ACT_ERRNO(data);
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		takes_errno = true, *ret = SCMP_ACT_TRACE(data);
	else
		return vs_error_set(err, "%s: unknown action \"%s\"", where, name);

	if (errno_ret->set && !takes_errno)
		return vs_error_set(err, "%s: %s does not take an errno return value", where, name);
	/* The action's data field is 16 bits; a larger value would be silently
	 * truncated into a different errno. */
	if (errno_ret->set && errno_ret->value > 0xffff)
		return vs_error_set(err, "%s: errno return value %u is out of range (0-65535)",
				    where, errno_ret->value);
	return 0;
}

static int op_resolve(const char *name, const char *where, enum scmp_compare *ret,
		      struct vs_error *err)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; name && i < ARRAY_SIZE(ops); i++) {
		if (strcmp(name, ops[i].name) == 0) {
			*ret = ops[i].op;
			return 0;
		}
	}
	return vs_error_set(err, "%s: unknown operator \"%s\"", where, name ? name : "(none)");
}

/* "SCMP_ARCH_MIPSEL64N32" -> libseccomp's "mipsel64n32". */
static int arch_add(scmp_filter_ctx ctx, const char *name, const char *where, uint32_t *ret_arch,
		    struct vs_error *err)
{
	char lower[32];
	size_t plen = strlen("SCMP_ARCH_");

	if (strncmp(name, "SCMP_ARCH_", plen) != 0 || strlen(name + plen) >= sizeof(lower))
		return vs_error_set(err, "%s: unknown architecture \"%s\"", where, name);
	for (size_t i = 0;; i++) {
		char c = name[plen + i];
		lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		if (!c)
			break;
	}
	uint32_t arch = seccomp_arch_resolve_name(lower);
	if (arch == 0)
		return vs_error_set(err, "%s: unknown architecture \"%s\"", where, name);
	int r = seccomp_arch_add(ctx, arch);
	/* The native architecture is in every new filter already. */
	if (r < 0 && r != -EEXIST)
		return vs_error_errno(err, -r, "%s: add architecture %s", where, name);
	*ret_arch = arch;
	return 0;
}

/* Conditions of one syscalls[] entry.  Several conditions on the same
 * argument cannot be ANDed into one rule meaningfully (x == 1 && x == 2), so,
 * like runc, such an entry becomes one rule per condition (ORed). */
static int build_conditions(const struct oci_seccomp_syscall *sys, const char *where,
			    struct scmp_arg_cmp *conds, bool *ret_split, struct vs_error *err)
{
	unsigned seen = 0;
	*ret_split = false;
	if (sys->n_args > 6)
		return vs_error_set(err, "%s.args: %zu conditions, at most 6 are supported", where,
				    sys->n_args);
	for (size_t i = 0; i < sys->n_args; i++) {
		const struct oci_seccomp_arg *a = &sys->args[i];
		_cleanup_free_ char *path = vs_strdup_printf("%s.args[%zu]", where, i);
		enum scmp_compare op = _SCMP_CMP_MIN;

		if (a->index > 5)
			return vs_error_set(err, "%s.index: %u is out of range (0-5)", path,
					    a->index);
		if (op_resolve(a->op, path, &op, err) < 0)
			return -1;
		/* MASKED_EQ: (arg & value) == valueTwo; other operators compare
		 * against value alone. */
		conds[i] = (struct scmp_arg_cmp){a->index, op, a->value,
						 op == SCMP_CMP_MASKED_EQ ? a->value_two : 0};
		if (seen & (1u << a->index))
			*ret_split = true;
		seen |= 1u << a->index;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, uint32_t action, int nr, const char *name,
		     const struct scmp_arg_cmp *conds, size_t n, bool split, const char *where,
		     struct vs_error *err)
{
	int r;
	if (!split) {
		r = seccomp_rule_add_array(ctx, action, nr, (unsigned)n, conds);
	} else {
		r = 0;
		for (size_t i = 0; i < n && r >= 0; i++)
			r = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
	}
	if (r < 0)
		return vs_error_errno(err, -r, "%s: add rule for syscall \"%s\"", where, name);
	return 0;
}

static void log_unknown_name(const char *where, size_t i, const char *name)
{
	vs_log_debug("seccomp: %s.names[%zu]: unknown syscall \"%s\" skipped", where, i, name);
}

void sc_log_unknown_names(const struct oci_seccomp *s)
{
	if (!vs_log_debug_enabled())
		return;
	for (size_t idx = 0; idx < s->n_syscalls; idx++) {
		char *const *names = s->syscalls[idx].names;
		_cleanup_free_ char *where = vs_strdup_printf(SC_PATH ".syscalls[%zu]", idx);
		for (size_t i = 0; names && names[i]; i++)
			if (seccomp_syscall_resolve_name(names[i]) == __NR_SCMP_ERROR)
				log_unknown_name(where, i, names[i]);
	}
}

static int add_entry(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sys, size_t idx,
		     uint32_t default_action, bool *uses_notify, struct vs_error *err)
{
	_cleanup_free_ char *where = vs_strdup_printf(SC_PATH ".syscalls[%zu]", idx);
	_cleanup_free_ char *act_where = vs_strdup_printf("%s.action", where);
	struct scmp_arg_cmp conds[6];
	uint32_t action;
	bool split;

	if (action_resolve(sys->action, &sys->errno_ret, act_where, &action, err) < 0)
		return -1;
	if (!sys->names || !sys->names[0])
		return vs_error_set(err, "%s.names: must list at least one syscall", where);
	if (build_conditions(sys, where, conds, &split, err) < 0)
		return -1;
	if (action == SCMP_ACT_NOTIFY)
		*uses_notify = true;
	/* A rule with the default action changes nothing; libseccomp refuses
	 * it (EACCES), runc and crun skip it. */
	if (action == default_action)
		return 0;

	for (size_t i = 0; sys->names[i]; i++) {
		const char *name = sys->names[i];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			log_unknown_name(where, i, name);
			continue;
		}
		/* The runtime itself needs these to hand the notify fd over;
		 * notifying on them would wait for a listener that never gets
		 * its fd. */
		if (action == SCMP_ACT_NOTIFY &&
		    (strcmp(name, "sendmsg") == 0 || strcmp(name, "write") == 0))
			return vs_error_set(err,
					    "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for the "
					    "%s syscall: vessel needs it to pass the notify fd",
					    where, i, name);
		if (add_rules(ctx, action, nr, name, conds, sys->n_args, split, where, err) < 0)
			return -1;
	}
	return 0;
}

static int check_flags(char **flags, unsigned int *ret_flags, struct vs_error *err)
{
	*ret_flags = 0;
	for (size_t i = 0; flags && flags[i]; i++) {
		_cleanup_free_ char *where = vs_strdup_printf(SC_PATH ".flags[%zu]", i);
		unsigned int bit;
		if (sc_flag_resolve(flags[i], where, &bit, err) < 0)
			return -1;
		*ret_flags |= bit;
	}
	return 0;
}

/* What build_ctx learned besides the filter itself. */
struct build_info {
	uint32_t default_action;
	uint32_t arches[32]; /* the native one first, then the listed ones */
	size_t n_arches;
	bool uses_notify;
};

static int add_arches(scmp_filter_ctx ctx, char **names, struct build_info *bi,
		      struct vs_error *err)
{
	bi->arches[bi->n_arches++] = seccomp_arch_native();
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *where = vs_strdup_printf(SC_PATH ".architectures[%zu]", i);
		uint32_t arch = 0;
		if (arch_add(ctx, names[i], where, &arch, err) < 0)
			return -1;
		bool seen = false;
		for (size_t j = 0; j < bi->n_arches; j++)
			seen = seen || bi->arches[j] == arch;
		if (!seen && bi->n_arches < ARRAY_SIZE(bi->arches))
			bi->arches[bi->n_arches++] = arch;
	}
	return 0;
}

static int build_ctx(const struct oci_seccomp *s, scmp_filter_ctx *ret_ctx, struct build_info *bi,
		     struct vs_error *err)
{
	uint32_t def;

	if (action_resolve(s->default_action, &s->default_errno_ret, SC_PATH ".defaultAction", &def,
			   err) < 0)
		return -1;
	if (def == SCMP_ACT_NOTIFY)
		return vs_error_set(err,
				    SC_PATH ".defaultAction: SCMP_ACT_NOTIFY cannot be the "
					    "default action (the runtime could not pass the fd)");
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return vs_error_set(err, SC_PATH ".defaultAction: libseccomp refused %s",
				    s->default_action);
	/* Level 2 = binary tree of syscall numbers: O(log n) compares per
	 * syscall instead of a linear scan of a 300-entry allow-list. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0 && r != -EOPNOTSUPP && r != -EINVAL)
		return vs_error_errno(err, -r, "seccomp: enable binary tree optimization");

	bi->default_action = def;
	if (add_arches(ctx, s->architectures, bi, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (add_entry(ctx, &s->syscalls[i], i, def, &bi->uses_notify, err) < 0)
			return -1;
	*ret_ctx = TAKE_PTR(ctx);
	return 0;
}

/* seccomp_export_bpf_mem() only exists from libseccomp 2.6; a memfd works
 * with every version. */
static int export_bpf(scmp_filter_ctx ctx, struct sc_filter *f, struct vs_error *err)
{
	_cleanup_close_ int fd = memfd_create("vessel-seccomp", MFD_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd < 0)
		return vs_error_errno(err, errno, "seccomp: memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return vs_error_errno(err, -r, "seccomp: export the BPF program");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return vs_error_errno(err, errno, "seccomp: rewind the BPF program");
	if (vs_read_fd(fd, 0, &buf, &len, err) < 0)
		return vs_error_wrap(err, "seccomp: read the BPF program");
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return vs_error_set(err, "seccomp: exported BPF program has a bad size %zu", len);
	if (len / sizeof(struct sock_filter) > SC_MAX_INSNS)
		return vs_error_set(err,
				    "seccomp: the filter needs %zu BPF instructions, the kernel "
				    "accepts at most %d",
				    len / sizeof(struct sock_filter), SC_MAX_INSNS);
	f->n_insns = (unsigned short)(len / sizeof(struct sock_filter));
	f->insns = vs_malloc0(len);
	memcpy(f->insns, buf, len);
	return 0;
}

static int check_listener(const struct oci_seccomp *s, bool uses_notify, struct vs_error *err)
{
	if (s->listener_metadata && !s->listener_path)
		return vs_error_set(err, SC_PATH ".listenerMetadata: set without listenerPath");
	if (uses_notify && (!s->listener_path || !s->listener_path[0]))
		return vs_error_set(err, SC_PATH ".listenerPath: required when a rule uses "
						 "SCMP_ACT_NOTIFY");
	if (uses_notify && s->listener_path[0] != '/')
		return vs_error_set(err, SC_PATH ".listenerPath: \"%s\" is not an absolute path",
				    s->listener_path);
	return 0;
}

int sc_compile(const struct oci_seccomp *seccomp, struct sc_filter **ret_filter,
	       struct vs_error *err)
{
	_cleanup_(sc_filter_freep) struct sc_filter *f = NULL;
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	struct build_info bi = {.n_arches = 0};

	*ret_filter = NULL;
	if (!seccomp)
		return 0;
	f = vs_malloc0(sizeof(*f));
	if (check_flags(seccomp->flags, &f->flags, err) < 0)
		return -1;
	if (build_ctx(seccomp, &ctx, &bi, err) < 0)
		return -1;
	if (check_listener(seccomp, bi.uses_notify, err) < 0)
		return -1;
	if (export_bpf(ctx, f, err) < 0)
		return -1;
	if (sc_enosys_stub(seccomp, bi.default_action, bi.arches, bi.n_arches, f, err) < 0)
		return -1;
	if (bi.uses_notify) {
		f->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC and NEW_LISTENER both use the return value; the kernel
		 * only accepts the pair with TSYNC_ESRCH. */
		if (f->flags & SECCOMP_FILTER_FLAG_TSYNC)
			f->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		f->listener_path = vs_strdup(seccomp->listener_path);
		f->listener_metadata = vs_strdup(seccomp->listener_metadata);
	}
	*ret_filter = TAKE_PTR(f);
	return 0;
}
