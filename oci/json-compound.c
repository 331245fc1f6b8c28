/* Compound getters (string arrays, maps, object arrays), enumeration checks
 * and JSON generation helpers; see json-internal.h. */
#include "oci/json-internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int oj_field(struct oj_ctx *c, yajl_val obj, const char *key, bool required, yajl_type type,
	     yajl_val *ret, size_t *ret_mark)
{
	yajl_val v = oj_member(obj, key);
	if (!v || (YAJL_IS_NULL(v) && !required)) {
		if (required)
			return oj_fail_key(c, key, "missing required field");
		return 0;
	}
	*ret_mark = oj_push_key(c, key);
	if (v->type != type) {
		char got[96];
		oj_describe(v, got, sizeof(got));
		oj_fail(c, "expected %s, got %s", type == yajl_t_array ? "an array" : "an object",
			got);
		oj_pop(c, *ret_mark);
		return -1;
	}
	*ret = v;
	return 1;
}

int oj_strv(struct oj_ctx *c, yajl_val obj, const char *key, bool required, char ***ret)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, required, yajl_t_array, &v, &m);
	if (r <= 0)
		return r;
	size_t n = v->u.array.len;
	vs_strv_free(*ret);
	*ret = vs_malloc0((n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		size_t mi = oj_push_index(c, i);
		r = oj_v_string(c, v->u.array.values[i], &(*ret)[i]);
		oj_pop(c, mi);
		if (r < 0)
			break;
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

int oj_u32_array(struct oj_ctx *c, yajl_val obj, const char *key, uint32_t **ret, size_t *ret_n)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, false, yajl_t_array, &v, &m);
	if (r <= 0)
		return r;
	size_t n = v->u.array.len;
	free(*ret);
	*ret = vs_malloc0(n * sizeof(uint32_t));
	*ret_n = n;
	for (size_t i = 0; i < n && r >= 0; i++) {
		uint64_t u = 0;
		size_t mi = oj_push_index(c, i);
		r = oj_v_u64(c, v->u.array.values[i], UINT32_MAX, &u);
		(*ret)[i] = (uint32_t)u;
		oj_pop(c, mi);
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

int oj_kv(struct oj_ctx *c, yajl_val obj, const char *key, struct oci_kv **ret, size_t *ret_n)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, false, yajl_t_object, &v, &m);
	if (r <= 0)
		return r;
	size_t n = v->u.object.len;
	oj_kv_free(*ret, *ret_n);
	*ret = vs_malloc0(n * sizeof(**ret));
	*ret_n = n;
	for (size_t i = 0; i < n && r >= 0; i++) {
		const char *k = v->u.object.keys[i];
		if (k[0] == '\0') {
			r = oj_fail(c, "empty key");
			break;
		}
		size_t mi = oj_push_mapkey(c, k);
		(*ret)[i].key = vs_strdup(k);
		r = oj_v_string(c, v->u.object.values[i], &(*ret)[i].value);
		oj_pop(c, mi);
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

int oj_object(struct oj_ctx *c, yajl_val obj, const char *key, bool required, oj_parse_fn fn,
	      void *out)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, required, yajl_t_object, &v, &m);
	if (r <= 0)
		return r;
	r = fn(c, v, out);
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

int oj_array(struct oj_ctx *c, yajl_val obj, const char *key, bool required, size_t esz,
	     void **ret_array, size_t *ret_n, oj_parse_fn fn)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, required, yajl_t_array, &v, &m);
	if (r <= 0)
		return r;
	size_t n = v->u.array.len;
	char *arr = vs_malloc0(n * esz);
	*ret_array = arr;
	*ret_n = n;
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t mi = oj_push_index(c, i);
		r = oj_v_object(c, v->u.array.values[i]);
		if (r >= 0)
			r = fn(c, v->u.array.values[i], arr + i * esz);
		oj_pop(c, mi);
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

int oj_map(struct oj_ctx *c, yajl_val obj, const char *key, size_t esz, void **ret_array,
	   size_t *ret_n, oj_map_fn fn)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, key, false, yajl_t_object, &v, &m);
	if (r <= 0)
		return r;
	size_t n = v->u.object.len;
	char *arr = vs_malloc0(n * esz);
	*ret_array = arr;
	*ret_n = n;
	for (size_t i = 0; i < n && r >= 0; i++) {
		const char *k = v->u.object.keys[i];
		if (k[0] == '\0') {
			r = oj_fail(c, "empty key");
			break;
		}
		size_t mi = oj_push_mapkey(c, k);
		r = oj_v_object(c, v->u.object.values[i]);
		if (r >= 0)
			r = fn(c, k, v->u.object.values[i], arr + i * esz);
		oj_pop(c, mi);
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

/* ---- checks --------------------------------------------------------------- */

int oj_check_enum(struct oj_ctx *c, const char *value, const char *const *allowed, const char *what)
{
	size_t n = 0;
	for (; allowed[n]; n++)
		if (strcmp(allowed[n], value) == 0)
			return 0;
	char q[96];
	oj_quote(value, q, sizeof(q));
	if (n > 9)
		return oj_fail(c, "unknown %s %s", what, q);
	char list[512] = "";
	size_t o = 0;
	for (size_t i = 0; i < n && o < sizeof(list); i++)
		o +=
		    (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", allowed[i]);
	return oj_fail(c, "unknown %s %s (expected one of: %s)", what, q, list);
}

int oj_check_strv_enum(struct oj_ctx *c, yajl_val obj, const char *key, char **values,
		       const char *const *allowed, const char *what)
{
	for (size_t i = 0; values && values[i]; i++) {
		size_t m = oj_push_key(c, key);
		oj_push_index(c, i);
		int r = oj_check_enum(c, values[i], allowed, what);
		oj_pop(c, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

int oj_check_abs(struct oj_ctx *c, const char *value)
{
	if (value && value[0] == '/')
		return 0;
	char q[96];
	oj_quote(value ? value : "", q, sizeof(q));
	return oj_fail(c, "expected an absolute path, got %s", q);
}

void oj_kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* ---- generation ------------------------------------------------------------ */

yajl_gen oj_gen_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	return g;
}

char *oj_gen_finish(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *s = vs_malloc0(len + 1);
	memcpy(s, buf, len);
	yajl_gen_free(g);
	return s;
}

void oj_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void oj_gen_key(yajl_gen g, const char *key)
{
	oj_gen_str(g, key);
}

void oj_gen_key_str(yajl_gen g, const char *key, const char *value)
{
	if (!value)
		return;
	oj_gen_str(g, key);
	oj_gen_str(g, value);
}

void oj_gen_key_bool(yajl_gen g, const char *key, bool value)
{
	oj_gen_str(g, key);
	yajl_gen_bool(g, value);
}

void oj_gen_key_i64(yajl_gen g, const char *key, int64_t value)
{
	oj_gen_str(g, key);
	yajl_gen_integer(g, value);
}

/* yajl_gen_integer takes a long long: values above INT64_MAX (seccomp
 * masks, "unlimited" rlimits) go out as number text. */
void oj_gen_key_u64(yajl_gen g, const char *key, uint64_t value)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, value);
	oj_gen_str(g, key);
	yajl_gen_number(g, buf, (size_t)n);
}

void oj_gen_key_opt_bool(yajl_gen g, const char *key, oci_opt_bool v)
{
	if (v.set)
		oj_gen_key_bool(g, key, v.value);
}

void oj_gen_key_opt_u32(yajl_gen g, const char *key, oci_opt_u32 v)
{
	if (v.set)
		oj_gen_key_u64(g, key, v.value);
}

void oj_gen_key_opt_i32(yajl_gen g, const char *key, oci_opt_i32 v)
{
	if (v.set)
		oj_gen_key_i64(g, key, v.value);
}

void oj_gen_key_opt_u64(yajl_gen g, const char *key, oci_opt_u64 v)
{
	if (v.set)
		oj_gen_key_u64(g, key, v.value);
}

void oj_gen_key_opt_i64(yajl_gen g, const char *key, oci_opt_i64 v)
{
	if (v.set)
		oj_gen_key_i64(g, key, v.value);
}

void oj_gen_key_strv(yajl_gen g, const char *key, char *const *v)
{
	if (!v)
		return;
	oj_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; v[i]; i++)
		oj_gen_str(g, v[i]);
	yajl_gen_array_close(g);
}

void oj_gen_key_kv(yajl_gen g, const char *key, const struct oci_kv *kv, size_t n)
{
	if (!kv)
		return;
	oj_gen_str(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		oj_gen_str(g, kv[i].key);
		oj_gen_str(g, kv[i].value ? kv[i].value : "");
	}
	yajl_gen_map_close(g);
}
