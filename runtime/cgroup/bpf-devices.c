/* The device program: raw eBPF for BPF_PROG_TYPE_CGROUP_DEVICE, loaded
 * and attached with bpf(2) directly (no libbpf).
 *
 * The kernel calls it with struct bpf_cgroup_dev_ctx { access_type =
 * (access << 16) | type, major, minor } and allows the access when it
 * returns 1.  The rules are checked last to first and the first match
 * decides, so a later rule overrides an earlier one (the order the spec
 * and runc use: "deny all" first, allows after it).  Nothing matching means
 * deny.  Register use:
 *   r2 = device type (BPF_DEVCG_DEV_*)   r3 = access bits (BPF_DEVCG_ACC_*)
 *   r4 = major                           r5 = minor
 *   r1 = scratch once the context is read, r0 = verdict */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

#define ALL_ACCESS (CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE)

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){
	    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	p->v = vs_realloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = i;
}

static void emit_prologue(struct prog *p)
{
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0)); /* r2 = access_type */
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0));
	emit(p, insn(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16));
	emit(p, insn(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff));
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0)); /* r4 = major */
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0)); /* r5 = minor */
}

static bool unconditional(const struct cg_dev_rule *r)
{
	return r->type == 'a' && r->access == ALL_ACCESS && r->major < 0 && r->minor < 0;
}

/* One rule: each test jumps past the block when it does not match.  The
 * jump offsets are relative to the next instruction, so they are filled in
 * once the block's length is known. */
static void emit_rule(struct prog *p, const struct cg_dev_rule *r)
{
	size_t start = p->n;
	if (r->type != 'a')
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
			     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	if (r->access != ALL_ACCESS) {
		/* Matches when the requested bits are a subset of the rule's. */
		emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0));
		emit(p, insn(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0,
			     (int32_t)(~r->access & ALL_ACCESS)));
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0));
	}
	if (r->major >= 0)
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r->major));
	if (r->minor >= 0)
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r->minor));
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	size_t end = p->n;
	for (size_t i = start; i < end; i++)
		if (p->v[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			p->v[i].off = (int16_t)(end - i - 1);
}

int cg_bpf_dev_generate(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **ret_insns,
			size_t *ret_n, struct vs_error *err)
{
	struct prog p = {0};
	emit_prologue(&p);
	bool decided = false;
	for (size_t i = n; i-- > 0;) {
		const struct cg_dev_rule *r = &rules[i];
		if (r->major > INT32_MAX || r->minor > INT32_MAX) {
			free(p.v);
			return vs_error_set(err, "device %lld:%lld: number out of range",
					    (long long)r->major, (long long)r->minor);
		}
		emit_rule(&p, r);
		if (unconditional(r)) {
			decided = true; /* the earlier rules can never be reached */
			break;
		}
	}
	if (!decided) {
		emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
		emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	}
	*ret_insns = p.v;
	*ret_n = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uintptr_t) "Apache-2.0";
	if (log) {
		attr.log_buf = (uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* The verifier's log is a trace of the instructions it walked; the reason
 * it refused is the last line, or the one before the "processed N insns"
 * statistics line that newer kernels append.  Cuts log in place. */
static const char *verifier_reason(char *log)
{
	char *line = NULL;
	for (int i = 0; i < 2; i++) {
		size_t len = strlen(log);
		while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
			log[--len] = '\0';
		line = strrchr(log, '\n');
		line = line ? line + 1 : log;
		if (strncmp(line, "processed ", 10) != 0 || line == log)
			break;
		line[-1] = '\0';
	}
	return line;
}

/* Without a log first: formatting the verifier's log costs the kernel more
 * than checking this program, and with a log a long rule list can fail
 * with ENOSPC when the log fills even though the program is valid.  Only
 * a load that failed is repeated with the log, for the error message; the
 * first errno is the one reported. */
static int load(const struct bpf_insn *insns, size_t n, struct vs_error *err)
{
	int fd = prog_load(insns, n, NULL, 0);
	if (fd >= 0)
		return fd;
	int e = errno;
	static char log[8192];
	log[0] = '\0';
	fd = prog_load(insns, n, log, sizeof(log));
	if (fd >= 0) /* a transient failure (EAGAIN, ENOMEM): take the program */
		return fd;
	log[sizeof(log) - 1] = '\0';
	const char *reason = verifier_reason(log);
	return vs_error_errno(err, e, "bpf(BPF_PROG_LOAD) of %zu instructions%s%.200s", n,
			      reason[0] ? ": verifier: " : "", reason);
}

/* Ids of the device programs attached to the cgroup now (at most 64:
 * vessel attaches one, a nested runtime a few more). */
static int query(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return -1;
	*n = attr.query.prog_cnt;
	return 0;
}

static void detach_id(int cgroup_fd, uint32_t id)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	(void)sys_bpf(BPF_PROG_DETACH, &attr);
}

int cg_bpf_dev_install(int cgroup_fd, const struct bpf_insn *insns, size_t n, struct vs_error *err)
{
	uint32_t old[64], n_old = ARRAY_SIZE(old);
	if (query(cgroup_fd, old, &n_old) < 0)
		n_old = 0;
	_cleanup_close_ int prog = load(insns, n, err);
	if (prog < 0)
		return -1;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* MULTI so a nested runtime inside the container can add its own
	 * program below ours (with NONE the kernel refuses any descendant). */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return vs_error_errno(err, errno, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)");
	/* The new program is in force; only now drop the old ones. */
	for (uint32_t i = 0; i < n_old; i++)
		detach_id(cgroup_fd, old[i]);
	return 0;
}
