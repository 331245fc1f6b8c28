/* runtime/seccomp/cache.c: sc_compile_cached gives the same filter as
 * sc_compile whether the entry is missing, valid, corrupt or unwritable. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp-internal.h"
#include "runtime/seccomp/seccomp.h"
#include "tap.h"

static char tmp[] = "/tmp/vessel-sccache-XXXXXX";

static bool same_filter(const struct sc_filter *a, const struct sc_filter *b)
{
	if (!a || !b || a->n_insns != b->n_insns || a->flags != b->flags)
		return false;
	if (memcmp(a->insns, b->insns, a->n_insns * sizeof(*a->insns)) != 0)
		return false;
	if (!!a->listener_path != !!b->listener_path ||
	    (a->listener_path && strcmp(a->listener_path, b->listener_path) != 0))
		return false;
	if (!!a->listener_metadata != !!b->listener_metadata ||
	    (a->listener_metadata && strcmp(a->listener_metadata, b->listener_metadata) != 0))
		return false;
	return true;
}

static char *entry_path(const char *dir, const struct oci_seccomp *s)
{
	unsigned char key[SC_CACHE_KEY_LEN];
	struct vs_error err = VS_ERROR_INIT;
	if (sc_cache_key(s, key, &err) < 0)
		return NULL;
	return sc_cache_entry_path(dir, key);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_miss_then_hit(const char *dir)
{
	struct oci_seccomp *s = sc_default_profile();
	struct sc_filter *ref = NULL, *miss = NULL, *hit = NULL;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_free_ char *path = entry_path(dir, s);
	struct stat st;

	CHECK(sc_compile(s, &ref, &err) == 0, "reference compile");
	CHECK(stat(path, &st) < 0, "no entry before the first compile");
	CHECK(sc_compile_cached(s, dir, &miss, &err) == 0, "miss compiles");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "entry stored, mode 0600");
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "cache dir mode 0700");
	CHECK(sc_compile_cached(s, dir, &hit, &err) == 0, "hit loads");
	CHECK(same_filter(ref, miss), "miss gives the sc_compile program");
	CHECK(same_filter(ref, hit), "hit gives a byte-identical program");
	sc_filter_free(ref);
	sc_filter_free(miss);
	sc_filter_free(hit);
	sc_profile_free(s);
}

static void test_key_changes(void)
{
	struct oci_seccomp *a = sc_default_profile(), *b = sc_default_profile();
	unsigned char ka[SC_CACHE_KEY_LEN], kb[SC_CACHE_KEY_LEN];
	struct vs_error err = VS_ERROR_INIT;

	CHECK(sc_cache_key(a, ka, &err) == 0 && sc_cache_key(b, kb, &err) == 0, "keys");
	CHECK(memcmp(ka, kb, sizeof(ka)) == 0, "equal profiles give the same key");
	b->default_errno_ret = (oci_opt_u32){true, 13};
	CHECK(sc_cache_key(b, kb, &err) == 0 && memcmp(ka, kb, sizeof(ka)) != 0,
	      "a different errnoRet changes the key");
	b->default_errno_ret = a->default_errno_ret;
	free(b->syscalls[0].action);
	b->syscalls[0].action = vs_strdup("SCMP_ACT_LOG");
	CHECK(sc_cache_key(b, kb, &err) == 0 && memcmp(ka, kb, sizeof(ka)) != 0,
	      "a different action changes the key");
	sc_profile_free(a);
	sc_profile_free(b);
}

static void corrupt_and_check(const char *dir, const char *what, const void *data, size_t len)
{
	struct oci_seccomp *s = sc_default_profile();
	struct sc_filter *ref = NULL, *got = NULL;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_free_ char *path = entry_path(dir, s);
	_cleanup_free_ char *good = NULL, *after = NULL;
	size_t good_len = 0, after_len = 0;

	CHECK(sc_compile(s, &ref, &err) == 0, "reference compile");
	CHECK(vs_read_file(path, 0, &good, &good_len, &err) == 0, "entry exists");
	CHECK(vs_write_file(path, data ? data : good, data ? len : good_len / 2, &err) == 0, what);
	CHECK(sc_compile_cached(s, dir, &got, &err) == 0, "corrupt entry still compiles");
	CHECK(same_filter(ref, got), "corrupt entry falls back to the right program");
	CHECK(vs_read_file(path, 0, &after, &after_len, &err) == 0 && after_len == good_len &&
		  memcmp(good, after, good_len) == 0,
	      "corrupt entry is rewritten");
	sc_filter_free(ref);
	sc_filter_free(got);
	sc_profile_free(s);
}

static void test_corrupt(const char *dir)
{
	char garbage[100];
	memset(garbage, 'x', sizeof(garbage));
	corrupt_and_check(dir, "garbage entry", garbage, sizeof(garbage));
	corrupt_and_check(dir, "truncated entry", NULL, 0);
	corrupt_and_check(dir, "empty entry", "", 0);
}

/* Another profile's (valid) entry under this key's name is refused. */
static void test_wrong_key(const char *dir)
{
	struct oci_seccomp *a = sc_default_profile(), *b = sc_default_profile();
	struct sc_filter *fb = NULL, *got = NULL, *ref = NULL;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_free_ char *pa = entry_path(dir, a), *pb = NULL, *data = NULL;
	size_t len = 0;

	b->default_errno_ret = (oci_opt_u32){true, 38};
	pb = entry_path(dir, b);
	CHECK(sc_compile_cached(b, dir, &fb, &err) == 0, "compile the other profile");
	CHECK(vs_read_file(pb, 0, &data, &len, &err) == 0, "read its entry");
	CHECK(vs_write_file(pa, data, len, &err) == 0, "plant it under the first key");
	CHECK(sc_compile(a, &ref, &err) == 0, "reference compile");
	CHECK(sc_compile_cached(a, dir, &got, &err) == 0 && same_filter(ref, got),
	      "an entry with another key is not used");
	CHECK(!same_filter(fb, got), "the two profiles really differ");
	sc_filter_free(fb);
	sc_filter_free(got);
	sc_filter_free(ref);
	sc_profile_free(a);
	sc_profile_free(b);
}

static void test_unwritable(const char *dir)
{
	struct oci_seccomp *s = sc_default_profile();
	struct sc_filter *ref = NULL, *got = NULL;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_free_ char *file = vs_strdup_printf("%s/a-file", dir);
	_cleanup_free_ char *under_file = vs_strdup_printf("%s/@cache/seccomp", file);
	struct stat st;

	CHECK(sc_compile(s, &ref, &err) == 0, "reference compile");
	CHECK(sc_compile_cached(s, "/nonexistent-vessel-root/@cache/seccomp", &got, &err) == 0 &&
		  same_filter(ref, got),
	      "missing root: compiles without a cache");
	CHECK(stat("/nonexistent-vessel-root", &st) < 0, "missing root is not created");
	sc_filter_free(got);
	got = NULL;
	CHECK(vs_write_file(file, "x", 1, &err) == 0, "make a file");
	CHECK(sc_compile_cached(s, under_file, &got, &err) == 0 && same_filter(ref, got),
	      "root that is a file: compiles without a cache");
	sc_filter_free(got);
	sc_filter_free(ref);
	sc_profile_free(s);
}

static void test_notify_and_errors(const char *dir)
{
	struct oci_seccomp *s = vs_malloc0(sizeof(*s));
	struct sc_filter *ref = NULL, *miss = NULL, *hit = NULL;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_free_ char *sub = vs_strdup_printf("%s/errors", dir);

	s->default_action = vs_strdup("SCMP_ACT_ALLOW");
	s->n_syscalls = 1;
	s->syscalls = vs_malloc0(sizeof(*s->syscalls));
	s->syscalls[0].action = vs_strdup("SCMP_ACT_NOTIFY");
	s->syscalls[0].names = vs_malloc0(2 * sizeof(char *));
	s->syscalls[0].names[0] = vs_strdup("mkdir");
	s->listener_path = vs_strdup("/run/listener.sock");
	s->listener_metadata = vs_strdup("meta");
	CHECK(sc_compile(s, &ref, &err) == 0, "NOTIFY profile compiles");
	CHECK(sc_compile_cached(s, dir, &miss, &err) == 0 &&
		  sc_compile_cached(s, dir, &hit, &err) == 0,
	      "NOTIFY profile: miss and hit");
	CHECK(same_filter(ref, hit) && hit->listener_path && hit->listener_metadata &&
		  (hit->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER),
	      "hit keeps listener path, metadata and flags");
	sc_filter_free(ref);
	sc_filter_free(miss);
	sc_filter_free(hit);
	hit = NULL;

	free(s->default_action);
	s->default_action = vs_strdup("SCMP_ACT_BOGUS");
	CHECK(sc_compile_cached(s, sub, &hit, &err) < 0 && !hit, "bad profile still fails");
	CHECK(err.msg && strstr(err.msg, "SCMP_ACT_BOGUS"), "with sc_compile's message");
	CHECK(count_entries(sub) == 0, "and nothing is stored");
	vs_error_clear(&err);
	sc_profile_free(s);
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	_cleanup_free_ char *dir = vs_strdup_printf("%s/@cache/seccomp", tmp);
	test_miss_then_hit(dir);
	test_key_changes();
	test_corrupt(dir);
	test_wrong_key(dir);
	test_unwritable(tmp);
	test_notify_and_errors(dir);
	_cleanup_free_ char *cmd = vs_strdup_printf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
