/* The default profile: runtime/seccomp/default-profile.json, embedded into
 * the binary at build time and parsed into the oci/oci.h model on demand.
 *
 * Keeping it as JSON (the OCI linux.seccomp format plus moby's archMap) means
 * it can be read, diffed against other runtimes' profiles and edited without
 * touching C.  The Makefile makes profile.o depend on the JSON file, which
 * the compiler's -MMD cannot know about through .incbin. */
#include <errno.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp.h"

/* Paths in .incbin are relative to the compiler's working directory, the
 * top of the tree, where the Makefile runs. */
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	"vs_sc_profile_json:\n"
	".incbin \"runtime/seccomp/default-profile.json\"\n"
	".byte 0\n"
	".popsection\n");
extern const char vs_sc_profile_json[];

#if defined(__x86_64__)
#define SC_NATIVE_ARCH "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define SC_NATIVE_ARCH "SCMP_ARCH_AARCH64"
#endif

static void yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

static yajl_val get(yajl_val obj, const char *key, yajl_type type)
{
	const char *path[] = {key, NULL};
	return yajl_tree_get(obj, path, type);
}

static char *get_str(yajl_val obj, const char *key)
{
	yajl_val v = get(obj, key, yajl_t_string);
	return v ? vs_strdup(YAJL_GET_STRING(v)) : NULL;
}

static uint64_t get_u64(yajl_val obj, const char *key, bool *ret_set)
{
	yajl_val v = get(obj, key, yajl_t_number);
	if (ret_set)
		*ret_set = v != NULL;
	/* yajl keeps integers as long long; values above INT64_MAX (none in
	 * the profile) would not survive, so the profile writes masks small. */
	return v && YAJL_IS_INTEGER(v) ? (uint64_t)YAJL_GET_INTEGER(v) : 0;
}

static char **get_strv(yajl_val obj, const char *key)
{
	yajl_val arr = get(obj, key, yajl_t_array);
	char **v = NULL;
	for (size_t i = 0; arr && i < arr->u.array.len; i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]))
			vs_strv_push(&v, YAJL_GET_STRING(arr->u.array.values[i]));
	return v;
}

static void parse_syscall(yajl_val obj, struct oci_seccomp_syscall *sys)
{
	yajl_val args = get(obj, "args", yajl_t_array);
	uint64_t e;

	sys->names = get_strv(obj, "names");
	sys->action = get_str(obj, "action");
	e = get_u64(obj, "errnoRet", &sys->errno_ret.set);
	sys->errno_ret.value = (uint32_t)e;
	if (!args)
		return;
	sys->args = vs_malloc0(args->u.array.len * sizeof(*sys->args));
	for (size_t i = 0; i < args->u.array.len; i++) {
		yajl_val a = args->u.array.values[i];
		struct oci_seccomp_arg *arg = &sys->args[sys->n_args++];
		arg->index = (uint32_t)get_u64(a, "index", NULL);
		arg->value = get_u64(a, "value", NULL);
		arg->value_two = get_u64(a, "valueTwo", NULL);
		arg->op = get_str(a, "op");
	}
}

/* The native architecture and its compat ABIs, from archMap.  Elsewhere
 * the list stays empty: libseccomp then covers the native one only. */
static char **native_architectures(yajl_val root)
{
	char **v = NULL;
#ifdef SC_NATIVE_ARCH
	yajl_val map = get(root, "archMap", yajl_t_array);
	for (size_t i = 0; map && i < map->u.array.len; i++) {
		yajl_val e = map->u.array.values[i];
		_cleanup_free_ char *arch = get_str(e, "architecture");
		if (!arch || strcmp(arch, SC_NATIVE_ARCH) != 0)
			continue;
		vs_strv_push(&v, SC_NATIVE_ARCH);
		_cleanup_strv_ char **sub = get_strv(e, "subArchitectures");
		for (size_t j = 0; sub && sub[j]; j++)
			vs_strv_push(&v, sub[j]);
	}
#else
	(void)root;
#endif
	return v;
}

struct oci_seccomp *sc_default_profile(void)
{
	char errbuf[256];
	_cleanup_(yajl_tree_freep) yajl_val root =
	    yajl_tree_parse(vs_sc_profile_json, errbuf, sizeof(errbuf));
	/* The JSON is part of the source tree and checked by the unit tests;
	 * a parse failure here is a build defect, not a runtime condition. */
	if (!root)
		abort();

	struct oci_seccomp *s = vs_malloc0(sizeof(*s));
	uint64_t e;
	s->default_action = get_str(root, "defaultAction");
	e = get_u64(root, "defaultErrnoRet", &s->default_errno_ret.set);
	s->default_errno_ret.value = (uint32_t)e;
	s->architectures = native_architectures(root);

	yajl_val calls = get(root, "syscalls", yajl_t_array);
	if (calls) {
		s->syscalls = vs_malloc0(calls->u.array.len * sizeof(*s->syscalls));
		for (size_t i = 0; i < calls->u.array.len; i++)
			parse_syscall(calls->u.array.values[i], &s->syscalls[s->n_syscalls++]);
	}
	return s;
}

void sc_profile_free(struct oci_seccomp *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *sys = &s->syscalls[i];
		vs_strv_free(sys->names);
		free(sys->action);
		for (size_t j = 0; j < sys->n_args; j++)
			free(sys->args[j].op);
		free(sys->args);
	}
	free(s->syscalls);
	free(s->default_action);
	vs_strv_free(s->architectures);
	vs_strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	free(s);
}
