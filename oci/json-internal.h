/* Typed getters over a yajl tree that carry the JSON path for errors, and
 * small yajl_gen helpers.  Internal to oci/.
 *
 * A parse walks the tree with a struct oj_ctx.  Each getter pushes the key it
 * reads onto the path, so a failure reads
 *     "config.json: linux.resources.memory.limit: expected an integer, got \"x\"".
 * Conventions of every getter:
 *  - returns 0 or -1 (err filled through the context);
 *  - a field that is absent, or null when optional, leaves *ret untouched;
 *  - a required field that is absent is "missing required field";
 *  - unknown keys are never looked at, so they are ignored as the spec says.
 * Parsers fill the caller's structs in place (arrays get their count set as
 * soon as they are allocated, zeroed) so that on failure the top level frees
 * the partial result with the ordinary free function. */
#ifndef VESSEL_OCI_JSON_INTERNAL_H
#define VESSEL_OCI_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/error.h"
#include "oci/oci.h"

struct oj_ctx {
	const char *source; /* "config.json" */
	char *path;	    /* "process.user.uid" */
	size_t len, cap;
	struct vs_error *err;
	/* "<source>: <path>: <message>" for what is accepted but ignored
	 * (deprecated fields); the top-level parse hands them to its result,
	 * for the command that created it to log. */
	char **warnings;
	bool user_optional; /* exec --process: a missing process.user is allowed */
};

void oj_ctx_init(struct oj_ctx *c, const char *source, struct vs_error *err);
void oj_ctx_done(struct oj_ctx *c);

/* Parse text into a tree; errors name the source and, for syntax errors, the
 * line and column ("config.json: line 3, column 7: invalid char in json
 * text"); empty input and truncated input get their own messages.  The top
 * level must be an object. */
int oj_parse(struct oj_ctx *c, const char *json, size_t len, yajl_val *ret_tree);

/* Path stack: push returns a mark to pop back to. */
size_t oj_push_key(struct oj_ctx *c, const char *key);
size_t oj_push_index(struct oj_ctx *c, size_t i);
size_t oj_push_mapkey(struct oj_ctx *c, const char *key); /* sysctl["a.b"] */
void oj_pop(struct oj_ctx *c, size_t mark);

/* "<source>: <path>: <message>".  Returns -1. */
int oj_fail(struct oj_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a warning "<source>: <path>.<key>: <message>" (key may be NULL). */
void oj_warn_key(struct oj_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with the key appended to the current path (for a missing field). */
int oj_fail_key(struct oj_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* s in double quotes, one line, cut after 60 characters. */
void oj_quote(const char *s, char *buf, size_t size);
/* Short description of a value for "got ..." ("\"x\"", "-1", "an array"). */
void oj_describe(yajl_val v, char *buf, size_t size);

/* The raw member of obj (NULL if absent; may be a null value). */
yajl_val oj_member(yajl_val obj, const char *key);

/* ---- values (path already pushed) ---- */
int oj_v_object(struct oj_ctx *c, yajl_val v);
int oj_v_string(struct oj_ctx *c, yajl_val v, char **ret);
int oj_v_bool(struct oj_ctx *c, yajl_val v, bool *ret);
/* Integer in [min, max], parsed from the number's text so that uint64 values
 * above INT64_MAX are exact and fractions/exponents are rejected. */
int oj_v_int(struct oj_ctx *c, yajl_val v, int64_t min, uint64_t max, bool *ret_neg,
	     uint64_t *ret_mag);
int oj_v_u64(struct oj_ctx *c, yajl_val v, uint64_t max, uint64_t *ret);
int oj_v_i64(struct oj_ctx *c, yajl_val v, int64_t min, int64_t max, int64_t *ret);

/* ---- fields of an object ---- */
int oj_string(struct oj_ctx *c, yajl_val obj, const char *key, bool required, char **ret);
int oj_bool(struct oj_ctx *c, yajl_val obj, const char *key, bool *ret);
int oj_opt_bool(struct oj_ctx *c, yajl_val obj, const char *key, oci_opt_bool *ret);
int oj_u32(struct oj_ctx *c, yajl_val obj, const char *key, bool required, uint32_t *ret);
int oj_u64(struct oj_ctx *c, yajl_val obj, const char *key, bool required, uint64_t *ret);
int oj_i64(struct oj_ctx *c, yajl_val obj, const char *key, bool required, int64_t *ret);
int oj_opt_u32(struct oj_ctx *c, yajl_val obj, const char *key, uint32_t max, oci_opt_u32 *ret);
int oj_opt_i32(struct oj_ctx *c, yajl_val obj, const char *key, int32_t min, int32_t max,
	       oci_opt_i32 *ret);
int oj_opt_u64(struct oj_ctx *c, yajl_val obj, const char *key, uint64_t max, oci_opt_u64 *ret);
int oj_opt_i64(struct oj_ctx *c, yajl_val obj, const char *key, oci_opt_i64 *ret);
/* Look up a member of a given type (array or object).  1: present, *ret set
 * and its key pushed (pop with *ret_mark); 0: absent or optional null;
 * -1: missing required or wrong type. */
int oj_field(struct oj_ctx *c, yajl_val obj, const char *key, bool required, yajl_type type,
	     yajl_val *ret, size_t *ret_mark);
/* Array of uint32 (additionalGids). */
int oj_u32_array(struct oj_ctx *c, yajl_val obj, const char *key, uint32_t **ret, size_t *ret_n);
/* Array of strings into a NULL-terminated vector. */
int oj_strv(struct oj_ctx *c, yajl_val obj, const char *key, bool required, char ***ret);
/* Object of string values into key/value pairs (empty keys rejected). */
int oj_kv(struct oj_ctx *c, yajl_val obj, const char *key, struct oci_kv **ret, size_t *ret_n);

/* A sub-object: checks its type, pushes its key, calls fn(c, value, out).
 * Absent (or null) and not required: fn is not called. */
typedef int (*oj_parse_fn)(struct oj_ctx *c, yajl_val v, void *out);
int oj_object(struct oj_ctx *c, yajl_val obj, const char *key, bool required, oj_parse_fn fn,
	      void *out);
/* An array of objects: allocates n zeroed elements of esz bytes, stores the
 * array and count at once, then fn(c, element, &array[i]) for each. */
int oj_array(struct oj_ctx *c, yajl_val obj, const char *key, bool required, size_t esz,
	     void **ret_array, size_t *ret_n, oj_parse_fn fn);
/* An object used as a map: fn(c, key, value, &array[i]) for each member,
 * value checked to be an object. */
typedef int (*oj_map_fn)(struct oj_ctx *c, const char *key, yajl_val v, void *out);
int oj_map(struct oj_ctx *c, yajl_val obj, const char *key, size_t esz, void **ret_array,
	   size_t *ret_n, oj_map_fn fn);

/* Check a string against a NULL-terminated list; the error names the value. */
int oj_check_enum(struct oj_ctx *c, const char *value, const char *const *allowed,
		  const char *what);
int oj_check_strv_enum(struct oj_ctx *c, yajl_val obj, const char *key, char **values,
		       const char *const *allowed, const char *what);
int oj_check_abs(struct oj_ctx *c, const char *value);

/* ---- generation ---- */
yajl_gen oj_gen_new(void);
/* Take the generated text as a malloc'd string and free the generator. */
char *oj_gen_finish(yajl_gen g);
void oj_gen_str(yajl_gen g, const char *s);
void oj_gen_key_str(yajl_gen g, const char *key, const char *value); /* skipped if NULL */
void oj_gen_key_bool(yajl_gen g, const char *key, bool value);
void oj_gen_key_i64(yajl_gen g, const char *key, int64_t value);
void oj_gen_key_u64(yajl_gen g, const char *key, uint64_t value);
void oj_gen_key_opt_bool(yajl_gen g, const char *key, oci_opt_bool v);
void oj_gen_key_opt_u32(yajl_gen g, const char *key, oci_opt_u32 v);
void oj_gen_key_opt_i32(yajl_gen g, const char *key, oci_opt_i32 v);
void oj_gen_key_opt_u64(yajl_gen g, const char *key, oci_opt_u64 v);
void oj_gen_key_opt_i64(yajl_gen g, const char *key, oci_opt_i64 v);
void oj_gen_key_strv(yajl_gen g, const char *key, char *const *v); /* skipped if NULL */
void oj_gen_key_kv(yajl_gen g, const char *key, const struct oci_kv *kv, size_t n);
void oj_gen_key(yajl_gen g, const char *key);

/* ---- freeing ---- */
void oj_kv_free(struct oci_kv *kv, size_t n);

#endif
