/* Path-carrying JSON getters over yajl_tree; see json-internal.h. */
#include "oci/json-internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "lib/cleanup.h"
#include "lib/util.h"

/* yajl_tree builds and frees the tree recursively; a hostile file of a few
 * megabytes of '[' would exhaust the stack, so nesting is bounded first. */
#define OJ_MAX_DEPTH 256

void oj_ctx_init(struct oj_ctx *c, const char *source, struct vs_error *err)
{
	/* Every field zero first: the callers' contexts live on the stack, and
	 * a flag added later (user_optional) would otherwise start as garbage. */
	*c = (struct oj_ctx){0};
	c->source = source ? source : "<input>";
	c->cap = 128;
	c->path = vs_malloc0(c->cap);
	c->len = 0;
	c->err = err;
	c->warnings = NULL;
}

void oj_ctx_done(struct oj_ctx *c)
{
	free(c->path);
	c->path = NULL;
	vs_strv_free(c->warnings);
	c->warnings = NULL;
}

static void path_append(struct oj_ctx *c, const char *s)
{
	size_t n = strlen(s);
	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap *= 2;
		c->path = vs_realloc(c->path, c->cap);
	}
	memcpy(c->path + c->len, s, n + 1);
	c->len += n;
}

size_t oj_push_key(struct oj_ctx *c, const char *key)
{
	size_t mark = c->len;
	if (c->len > 0)
		path_append(c, ".");
	path_append(c, key);
	return mark;
}

size_t oj_push_index(struct oj_ctx *c, size_t i)
{
	size_t mark = c->len;
	char buf[32];
	snprintf(buf, sizeof(buf), "[%zu]", i);
	path_append(c, buf);
	return mark;
}

size_t oj_push_mapkey(struct oj_ctx *c, const char *key)
{
	size_t mark = c->len;
	path_append(c, "[\"");
	path_append(c, key);
	path_append(c, "\"]");
	return mark;
}

void oj_pop(struct oj_ctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

static int fail_v(struct oj_ctx *c, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (c->len > 0)
		return vs_error_set(c->err, "%s: %s: %s", c->source, c->path, msg ? msg : "error");
	return vs_error_set(c->err, "%s: %s", c->source, msg ? msg : "error");
}

int oj_fail(struct oj_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(c, fmt, ap);
	va_end(ap);
	return -1;
}

int oj_fail_key(struct oj_ctx *c, const char *key, const char *fmt, ...)
{
	size_t m = oj_push_key(c, key);
	va_list ap;
	va_start(ap, fmt);
	fail_v(c, fmt, ap);
	va_end(ap);
	oj_pop(c, m);
	return -1;
}

void oj_warn_key(struct oj_ctx *c, const char *key, const char *fmt, ...)
{
	size_t m = key ? oj_push_key(c, key) : c->len;
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	_cleanup_free_ char *w =
	    vs_strdup_printf("%s: %s: %s", c->source, c->path, msg ? msg : "warning");
	vs_strv_push(&c->warnings, w);
	oj_pop(c, m);
}

/* Quote s for a one-line message: control characters become '?', long
 * values are cut. */
void oj_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 8)
		return;
	buf[o++] = '"';
	for (size_t i = 0; s[i] && o < size - 5; i++) {
		if (i >= 60) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

void oj_describe(yajl_val v, char *buf, size_t size)
{
	if (!v || YAJL_IS_NULL(v))
		snprintf(buf, size, "null");
	else if (YAJL_IS_STRING(v))
		oj_quote(v->u.string, buf, size);
	else if (YAJL_IS_NUMBER(v))
		snprintf(buf, size, "%.60s", v->u.number.r);
	else if (YAJL_IS_TRUE(v))
		snprintf(buf, size, "true");
	else if (YAJL_IS_FALSE(v))
		snprintf(buf, size, "false");
	else if (YAJL_IS_OBJECT(v))
		snprintf(buf, size, "an object");
	else
		snprintf(buf, size, "an array");
}

static int fail_type(struct oj_ctx *c, const char *expected, yajl_val v)
{
	char got[96];
	oj_describe(v, got, sizeof(got));
	return oj_fail(c, "expected %s, got %s", expected, got);
}

yajl_val oj_member(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/* ---- top-level parse ---------------------------------------------------- */

static int check_depth(const char *s, size_t len)
{
	bool in_str = false, esc = false;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			if (++depth > OJ_MAX_DEPTH)
				return -1;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return 0;
}

/* yajl's own message is multi-line with an ASCII arrow; keep its first line
 * without the "parse error: " prefix, and say where.  yajl reports the offset
 * where its lexer stood, which can be a few bytes past the offending token
 * (containerd writes config.json on one line, so the column matters). */
static int fail_syntax(struct oj_ctx *c, const char *json, size_t len, const char *tree_err)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	yajl_config(h, yajl_allow_comments, 1);
	yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
	bool eof = false;
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		eof = true;
	}
	size_t off = eof ? len : yajl_get_bytes_consumed(h);
	unsigned char *raw = yajl_get_error(h, 0, (const unsigned char *)json, len);
	char msg[160];
	const char *m = (const char *)raw;
	for (const char *pfx = "parse error: "; strncmp(m, pfx, strlen(pfx)) == 0;)
		m += strlen(pfx);
	if (strncmp(m, "lexical error: ", 15) == 0)
		m += 15;
	snprintf(msg, sizeof(msg), "%s", m);
	msg[strcspn(msg, "\n")] = '\0';
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '.' || isspace((unsigned char)msg[n - 1])))
		msg[--n] = '\0';
	yajl_free_error(h, raw);
	yajl_free(h);
	if (strstr(msg, "premature EOF"))
		return vs_error_set(c->err, "%s: unexpected end of input (truncated file?)",
				    c->source);
	/* the callback-less pass accepted what yajl_tree refused (out of
	 * memory): report the tree's own message */
	if (eof && st == yajl_status_ok)
		return vs_error_set(c->err, "%s: %.*s", c->source, (int)strcspn(tree_err, "\n"),
				    tree_err[0] ? tree_err : "invalid JSON");
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (json[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return vs_error_set(c->err, "%s: line %u, near column %u: %s", c->source, line, col, msg);
}

/* ---- embedded NULs -------------------------------------------------------
 * yajl_tree decodes "\u0000" into its NUL-terminated strings, so
 * "ves\u0000sel" would reach vessel as "ves" while anything else reading the
 * same file (a policy engine, the client) sees "ves\0sel".  Such a string is
 * refused, and to name its field a second, event-driven pass (which sees
 * string lengths) walks the text keeping the JSON path in the context.  It
 * runs only when the text holds the escape at all. */

struct nul_frame {
	bool array;
	size_t index, mark;
};

struct nul_walk {
	struct oj_ctx *c;
	struct nul_frame frames[OJ_MAX_DEPTH + 1];
	int depth; /* frames in use; 0 = top level */
	bool found;
};

/* A value starts: inside an array its index becomes the last path element. */
static void nul_value(struct nul_walk *w)
{
	if (w->depth == 0 || !w->frames[w->depth - 1].array)
		return;
	struct nul_frame *f = &w->frames[w->depth - 1];
	oj_pop(w->c, f->mark);
	oj_push_index(w->c, f->index++);
}

static int nul_open(void *ctx, bool array)
{
	struct nul_walk *w = ctx;
	nul_value(w);
	if (w->depth > OJ_MAX_DEPTH)
		return 0;
	w->frames[w->depth++] = (struct nul_frame){.array = array, .mark = w->c->len};
	return 1;
}

static int nul_close(void *ctx)
{
	struct nul_walk *w = ctx;
	if (w->depth > 0)
		oj_pop(w->c, w->frames[--w->depth].mark);
	return 1;
}

static int nul_start_map(void *ctx)
{
	return nul_open(ctx, false);
}
static int nul_start_array(void *ctx)
{
	return nul_open(ctx, true);
}

static int nul_key(void *ctx, const unsigned char *key, size_t len)
{
	struct nul_walk *w = ctx;
	_cleanup_free_ char *k = vs_malloc0(len + 1);
	memcpy(k, key, len);
	if (w->depth > 0)
		oj_pop(w->c, w->frames[w->depth - 1].mark);
	oj_push_key(w->c, k);
	if (memchr(key, '\0', len)) {
		oj_fail(w->c, "key contains a NUL byte");
		w->found = true;
		return 0;
	}
	return 1;
}

static int nul_string(void *ctx, const unsigned char *s, size_t len)
{
	struct nul_walk *w = ctx;
	nul_value(w);
	if (memchr(s, '\0', len)) {
		oj_fail(w->c, "string contains a NUL byte");
		w->found = true;
		return 0;
	}
	return 1;
}

static int nul_scalar(void *ctx)
{
	nul_value(ctx);
	return 1;
}

static int nul_bool(void *ctx, int b)
{
	return nul_scalar(ctx);
}
static int nul_number(void *ctx, const char *s, size_t len)
{
	return nul_scalar(ctx);
}

static const yajl_callbacks nul_callbacks = {
    .yajl_null = nul_scalar,
    .yajl_boolean = nul_bool,
    .yajl_number = nul_number,
    .yajl_string = nul_string,
    .yajl_start_map = nul_start_map,
    .yajl_map_key = nul_key,
    .yajl_end_map = nul_close,
    .yajl_start_array = nul_start_array,
    .yajl_end_array = nul_close,
};

/* -1 (err set) if a string or key of the parsed text holds a NUL. */
static int check_nul_strings(struct oj_ctx *c, const char *json, size_t len)
{
	if (!memmem(json, len, "\\u0000", 6))
		return 0;
	struct nul_walk *w = vs_malloc0(sizeof(*w));
	w->c = c;
	size_t mark = c->len;
	yajl_handle h = yajl_alloc(&nul_callbacks, NULL, w);
	yajl_config(h, yajl_allow_comments, 1);
	if (yajl_parse(h, (const unsigned char *)json, len) == yajl_status_ok)
		yajl_complete_parse(h);
	yajl_free(h);
	oj_pop(c, mark);
	bool found = w->found;
	free(w);
	return found ? -1 : 0;
}

int oj_parse(struct oj_ctx *c, const char *json, size_t len, yajl_val *ret_tree)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)json[i]))
		i++;
	if (i == len)
		return vs_error_set(c->err, "%s: empty file", c->source);
	if (memchr(json, '\0', len))
		return vs_error_set(c->err, "%s: contains a NUL byte", c->source);
	if (check_depth(json, len) < 0)
		return vs_error_set(c->err, "%s: nested deeper than %d levels", c->source,
				    OJ_MAX_DEPTH);
	_cleanup_free_ char *text = vs_malloc0(len + 1);
	memcpy(text, json, len);
	char errbuf[256] = "";
	yajl_val tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (!tree)
		return fail_syntax(c, text, len, errbuf);
	if (check_nul_strings(c, text, len) < 0) {
		yajl_tree_free(tree);
		return -1;
	}
	if (!YAJL_IS_OBJECT(tree)) {
		char got[96];
		oj_describe(tree, got, sizeof(got));
		yajl_tree_free(tree);
		return vs_error_set(c->err, "%s: expected a JSON object at the top level, got %s",
				    c->source, got);
	}
	*ret_tree = tree;
	return 0;
}

/* ---- values ------------------------------------------------------------- */

int oj_v_object(struct oj_ctx *c, yajl_val v)
{
	return YAJL_IS_OBJECT(v) ? 0 : fail_type(c, "an object", v);
}

int oj_v_string(struct oj_ctx *c, yajl_val v, char **ret)
{
	if (!YAJL_IS_STRING(v))
		return fail_type(c, "a string", v);
	free(*ret);
	*ret = vs_strdup(v->u.string);
	return 0;
}

int oj_v_bool(struct oj_ctx *c, yajl_val v, bool *ret)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return fail_type(c, "a boolean", v);
	*ret = YAJL_IS_TRUE(v);
	return 0;
}

int oj_v_int(struct oj_ctx *c, yajl_val v, int64_t min, uint64_t max, bool *ret_neg,
	     uint64_t *ret_mag)
{
	const char *expected = min >= 0 ? "a non-negative integer" : "an integer";
	if (!YAJL_IS_NUMBER(v))
		return fail_type(c, expected, v);
	const char *r = v->u.number.r;
	bool neg = *r == '-';
	const char *p = r + neg;
	if (!isdigit((unsigned char)*p))
		return fail_type(c, expected, v);
	uint64_t mag = 0;
	bool overflow = false;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (mag > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			mag = mag * 10 + d;
	}
	/* 1.0 and 1e3 are numbers but not integers: Go's decoder refuses
	 * them for integer fields too. */
	if (*p != '\0')
		return fail_type(c, expected, v);
	if (neg && mag == 0 && !overflow)
		neg = false;
	if (neg && min >= 0)
		return fail_type(c, expected, v);
	uint64_t neg_limit = (uint64_t)(-(min + 1)) + 1;
	if (overflow || (neg ? mag > neg_limit : mag > max))
		return oj_fail(c, "%.60s out of range (%" PRId64 " to %" PRIu64 ")", r, min, max);
	*ret_neg = neg;
	*ret_mag = mag;
	return 0;
}

int oj_v_u64(struct oj_ctx *c, yajl_val v, uint64_t max, uint64_t *ret)
{
	bool neg;
	return oj_v_int(c, v, 0, max, &neg, ret);
}

int oj_v_i64(struct oj_ctx *c, yajl_val v, int64_t min, int64_t max, int64_t *ret)
{
	bool neg;
	uint64_t mag;
	if (oj_v_int(c, v, min, (uint64_t)max, &neg, &mag) < 0)
		return -1;
	/* mag <= 2^63 when negative, so this conversion is exact */
	*ret = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

/* ---- fields ------------------------------------------------------------- */

/* 1: present (*ret set), 0: absent or optional null, -1: missing required. */
static int lookup(struct oj_ctx *c, yajl_val obj, const char *key, bool required, yajl_val *ret)
{
	yajl_val v = oj_member(obj, key);
	if (!v || (YAJL_IS_NULL(v) && !required)) {
		if (required)
			return oj_fail_key(c, key, "missing required field");
		return 0;
	}
	*ret = v;
	return 1;
}

#define FIELD_BEGIN(req)                                                                           \
	yajl_val v = NULL;                                                                         \
	int _r = lookup(c, obj, key, req, &v);                                                     \
	if (_r <= 0)                                                                               \
		return _r;                                                                         \
	size_t _m = oj_push_key(c, key);                                                           \
	int _rc
#define FIELD_END()                                                                                \
	oj_pop(c, _m);                                                                             \
	return _rc

int oj_string(struct oj_ctx *c, yajl_val obj, const char *key, bool required, char **ret)
{
	FIELD_BEGIN(required) = oj_v_string(c, v, ret);
	FIELD_END();
}

int oj_bool(struct oj_ctx *c, yajl_val obj, const char *key, bool *ret)
{
	FIELD_BEGIN(false) = oj_v_bool(c, v, ret);
	FIELD_END();
}

int oj_opt_bool(struct oj_ctx *c, yajl_val obj, const char *key, oci_opt_bool *ret)
{
	FIELD_BEGIN(false) = oj_v_bool(c, v, &ret->value);
	ret->set = _rc == 0;
	FIELD_END();
}

int oj_u32(struct oj_ctx *c, yajl_val obj, const char *key, bool required, uint32_t *ret)
{
	uint64_t u = 0;
	FIELD_BEGIN(required) = oj_v_u64(c, v, UINT32_MAX, &u);
	*ret = (uint32_t)u;
	FIELD_END();
}

int oj_u64(struct oj_ctx *c, yajl_val obj, const char *key, bool required, uint64_t *ret)
{
	FIELD_BEGIN(required) = oj_v_u64(c, v, UINT64_MAX, ret);
	FIELD_END();
}

int oj_i64(struct oj_ctx *c, yajl_val obj, const char *key, bool required, int64_t *ret)
{
	FIELD_BEGIN(required) = oj_v_i64(c, v, INT64_MIN, INT64_MAX, ret);
	FIELD_END();
}

int oj_opt_u32(struct oj_ctx *c, yajl_val obj, const char *key, uint32_t max, oci_opt_u32 *ret)
{
	uint64_t u = 0;
	FIELD_BEGIN(false) = oj_v_u64(c, v, max, &u);
	ret->set = _rc == 0;
	ret->value = (uint32_t)u;
	FIELD_END();
}

int oj_opt_i32(struct oj_ctx *c, yajl_val obj, const char *key, int32_t min, int32_t max,
	       oci_opt_i32 *ret)
{
	int64_t i = 0;
	FIELD_BEGIN(false) = oj_v_i64(c, v, min, max, &i);
	ret->set = _rc == 0;
	ret->value = (int32_t)i;
	FIELD_END();
}

int oj_opt_u64(struct oj_ctx *c, yajl_val obj, const char *key, uint64_t max, oci_opt_u64 *ret)
{
	FIELD_BEGIN(false) = oj_v_u64(c, v, max, &ret->value);
	ret->set = _rc == 0;
	FIELD_END();
}

int oj_opt_i64(struct oj_ctx *c, yajl_val obj, const char *key, oci_opt_i64 *ret)
{
	FIELD_BEGIN(false) = oj_v_i64(c, v, INT64_MIN, INT64_MAX, &ret->value);
	ret->set = _rc == 0;
	FIELD_END();
}
