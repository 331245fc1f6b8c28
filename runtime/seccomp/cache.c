/* A cache of compiled filters under the runtime root.
 *
 * libseccomp spends most of a `create` on building the same default profile
 * again and again; the exported BPF only depends on the inputs hashed into
 * the key below, so it is kept in <cache_dir>/<sha256-hex>.bpf.  Entry:
 *
 *   struct entry_hdr (magic, key, flags, n_insns, string lengths)
 *   n_insns * struct sock_filter
 *   listener_path + NUL (if path_len), listener_metadata + NUL (if meta_len)
 *
 * The cache is an optimisation only: every failure (missing or read-only
 * root, corrupt entry, full disk) is logged at debug level and the profile
 * is compiled as if there were no cache.  Only successful compiles are
 * stored, so a hit never hides a profile error.  Writers replace entries by
 * rename, so concurrent creates at worst compile twice. */
#include <errno.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp-internal.h"
#include "runtime/seccomp/seccomp.h"

/* Bump when the entry layout or what sc_compile emits changes. */
#define CACHE_FORMAT "vessel-seccomp-cache/1"
#define CACHE_MAGIC  "VSSCBPF1"

#ifndef VESSEL_VERSION
#define VESSEL_VERSION "unknown"
#endif
#ifndef VESSEL_COMMIT
#define VESSEL_COMMIT "unknown"
#endif

struct entry_hdr {
	char magic[8];
	unsigned char key[SC_CACHE_KEY_LEN];
	uint32_t flags;
	uint32_t n_insns;
	uint32_t path_len; /* incl. NUL, 0 = NULL */
	uint32_t meta_len;
};

/* Length-prefixed so ("ab","c") and ("a","bc") hash differently; NULL is
 * distinct from "". */
static void put_str(struct sha256_ctx *md, const char *s)
{
	uint64_t len = s ? strlen(s) : UINT64_MAX;
	sha256_update(md, sizeof(len), (const uint8_t *)&len);
	if (s)
		sha256_update(md, strlen(s), (const uint8_t *)s);
}

static void put_u64(struct sha256_ctx *md, uint64_t v)
{
	sha256_update(md, sizeof(v), (const uint8_t *)&v);
}

static void put_strv(struct sha256_ctx *md, char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	put_u64(md, v ? n : UINT64_MAX);
	for (size_t i = 0; i < n; i++)
		put_str(md, v[i]);
}

static void put_profile(struct sha256_ctx *md, const struct oci_seccomp *s)
{
	put_str(md, s->default_action);
	put_u64(md, s->default_errno_ret.set ? s->default_errno_ret.value : UINT64_MAX);
	put_strv(md, s->architectures);
	put_strv(md, s->flags);
	put_str(md, s->listener_path);
	put_str(md, s->listener_metadata);
	put_u64(md, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct oci_seccomp_syscall *sys = &s->syscalls[i];
		put_strv(md, sys->names);
		put_str(md, sys->action);
		put_u64(md, sys->errno_ret.set ? sys->errno_ret.value : UINT64_MAX);
		put_u64(md, sys->n_args);
		for (size_t j = 0; j < sys->n_args; j++) {
			put_u64(md, sys->args[j].index);
			put_u64(md, sys->args[j].value);
			put_u64(md, sys->args[j].value_two);
			put_str(md, sys->args[j].op);
		}
	}
}

/* Besides the profile: libseccomp's version (its syscall tables decide the
 * program and the ENOSYS stub's maxima), the native arch, and the kernel
 * (sc_compile refuses flags the running kernel does not know). */
int sc_cache_key(const struct oci_seccomp *seccomp, unsigned char key[SC_CACHE_KEY_LEN],
		 struct vs_error *err)
{
	/* nettle, not libcrypto: libcrypto's first digest reads openssl.cnf
	 * and loads its providers, ~3 ms of every create. */
	struct sha256_ctx ctx, *md = &ctx;
	const struct scmp_version *v = seccomp_version();
	struct utsname u;

	sha256_init(md);
	if (uname(&u) < 0)
		return vs_error_errno(err, errno, "seccomp cache: uname");
	put_str(md, CACHE_FORMAT);
	put_str(md, VESSEL_VERSION);
	put_str(md, VESSEL_COMMIT);
	put_u64(md, v ? v->major : 0);
	put_u64(md, v ? v->minor : 0);
	put_u64(md, v ? v->micro : 0);
	put_u64(md, seccomp_arch_native());
	put_str(md, u.release);
	put_str(md, u.version);
	put_profile(md, seccomp);
	_Static_assert(SC_CACHE_KEY_LEN == SHA256_DIGEST_SIZE, "the key is a sha256");
	sha256_digest(md, SC_CACHE_KEY_LEN, key);
	return 0;
}

char *sc_cache_entry_path(const char *cache_dir, const unsigned char key[SC_CACHE_KEY_LEN])
{
	char hex[2 * SC_CACHE_KEY_LEN + 1];
	for (size_t i = 0; i < SC_CACHE_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	return vs_strdup_printf("%s/%s.bpf", cache_dir, hex);
}

static char *take_str(const char *p, uint32_t len)
{
	/* The NUL must be the last byte and the only one. */
	if (len == 0 || p[len - 1] != '\0' || strlen(p) != len - 1)
		return NULL;
	return vs_strdup(p);
}

static int parse_entry(const char *buf, size_t len, const uint8_t *key, struct sc_filter *f,
		       struct vs_error *err)
{
	struct entry_hdr h;
	if (len < sizeof(h))
		return vs_error_set(err, "truncated header (%zu bytes)", len);
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0)
		return vs_error_set(err, "bad magic");
	if (memcmp(h.key, key, SC_CACHE_KEY_LEN) != 0)
		return vs_error_set(err, "key mismatch");
	if (h.n_insns == 0 || h.n_insns > SC_MAX_INSNS)
		return vs_error_set(err, "bad instruction count %u", h.n_insns);
	size_t prog = (size_t)h.n_insns * sizeof(struct sock_filter);
	if (len != sizeof(h) + prog + (size_t)h.path_len + h.meta_len)
		return vs_error_set(err, "size %zu does not match the header", len);
	const char *p = buf + sizeof(h) + prog;
	if (h.path_len && !(f->listener_path = take_str(p, h.path_len)))
		return vs_error_set(err, "bad listenerPath");
	p += h.path_len;
	if (h.meta_len && !(f->listener_metadata = take_str(p, h.meta_len)))
		return vs_error_set(err, "bad listenerMetadata");
	f->insns = vs_malloc0(prog);
	memcpy(f->insns, buf + sizeof(h), prog);
	f->n_insns = (unsigned short)h.n_insns;
	f->flags = h.flags;
	return 0;
}

static int cache_load(const char *path, const uint8_t *key, struct sc_filter **ret,
		      struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	size_t max = sizeof(struct entry_hdr) + SC_MAX_INSNS * sizeof(struct sock_filter) + 65536;

	if (vs_read_file(path, max, &buf, &len, err) < 0)
		return -1;
	struct sc_filter *f = vs_malloc0(sizeof(*f));
	if (parse_entry(buf, len, key, f, err) < 0) {
		sc_filter_free(f);
		return vs_error_wrap(err, "%s", path);
	}
	*ret = f;
	return 0;
}

static int cache_store(const char *cache_dir, const char *path, const uint8_t *key,
		       const struct sc_filter *f, struct vs_error *err)
{
	struct entry_hdr h = {.flags = f->flags, .n_insns = f->n_insns};
	size_t prog = (size_t)f->n_insns * sizeof(struct sock_filter);

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, SC_CACHE_KEY_LEN);
	h.path_len = f->listener_path ? (uint32_t)strlen(f->listener_path) + 1 : 0;
	h.meta_len = f->listener_metadata ? (uint32_t)strlen(f->listener_metadata) + 1 : 0;
	size_t len = sizeof(h) + prog + h.path_len + h.meta_len;
	_cleanup_free_ char *buf = vs_malloc0(len);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), f->insns, prog);
	if (h.path_len)
		memcpy(buf + sizeof(h) + prog, f->listener_path, h.path_len);
	if (h.meta_len)
		memcpy(buf + sizeof(h) + prog + h.path_len, f->listener_metadata, h.meta_len);

	/* Only the last two levels are made: a missing root means no cache,
	 * not a root created behind the user's back. */
	_cleanup_free_ char *parent = vs_strdup(cache_dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0700) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "mkdir %s", parent);
	}
	if (mkdir(cache_dir, 0700) < 0 && errno != EEXIST)
		return vs_error_errno(err, errno, "mkdir %s", cache_dir);
	return vs_write_file_atomic(path, buf, len, 0600, err);
}

int sc_compile_cached(const struct oci_seccomp *seccomp, const char *cache_dir,
		      struct sc_filter **ret_filter, struct vs_error *err)
{
	struct vs_error cerr = VS_ERROR_INIT;
	unsigned char key[SC_CACHE_KEY_LEN];

	*ret_filter = NULL;
	if (!seccomp || !cache_dir)
		return sc_compile(seccomp, ret_filter, err);
	if (sc_cache_key(seccomp, key, &cerr) < 0) {
		vs_log_debug("seccomp cache: disabled: %s", cerr.msg);
		vs_error_clear(&cerr);
		return sc_compile(seccomp, ret_filter, err);
	}
	_cleanup_free_ char *path = sc_cache_entry_path(cache_dir, key);
	if (cache_load(path, key, ret_filter, &cerr) == 0) {
		vs_log_debug("seccomp cache: hit %s (%u instructions)", path,
			     (*ret_filter)->n_insns);
		/* What the compile would have reported under --debug. */
		sc_log_unknown_names(seccomp);
		return 0;
	}
	vs_log_debug("seccomp cache: miss: %s", cerr.msg);
	vs_error_clear(&cerr);
	if (sc_compile(seccomp, ret_filter, err) < 0)
		return -1;
	if (cache_store(cache_dir, path, key, *ret_filter, &cerr) < 0) {
		vs_log_debug("seccomp cache: not stored: %s", cerr.msg);
		vs_error_clear(&cerr);
	} else {
		vs_log_debug("seccomp cache: stored %s", path);
	}
	return 0;
}
