/* The config parser over the corpus in tests/data/configs:
 *  - every invalid/NAME.json fails with exactly the message in NAME.err;
 *  - every valid/NAME.json parses, and serialize -> parse -> serialize is
 *    stable;
 *  - for the configs that use only fields vessel models (full.json, the
 *    runc and crun `spec` outputs), the serialized JSON is the same tree as
 *    the input (same keys, same values, numbers compared by their text), so
 *    no field is dropped or altered by the serializer. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "oci/oci.h"
#include "tap.h"
#include "test-oci-corpus.h"

static void check_invalid(const char *name)
{
	char rel[512], desc[600];
	size_t len = 0, elen = 0;
	snprintf(rel, sizeof(rel), "invalid/%s", name);
	char *json = corpus_read(rel, &len);
	snprintf(rel + strlen(rel) - 5, 6, ".err");
	char *expected = corpus_read(rel, &elen);
	if (!json || !expected) {
		CHECK(0, name);
		free(json);
		free(expected);
		return;
	}
	expected[strcspn(expected, "\n")] = '\0';
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	int r = oci_config_parse(json, len, "config.json", &c, &err);
	snprintf(desc, sizeof(desc), "invalid/%s is rejected", name);
	CHECK(r < 0 && c == NULL, desc);
	if (r < 0)
		CHECK_STR(err.msg, expected);
	else
		CHECK(0, "parse unexpectedly succeeded");
	oci_config_free(c);
	vs_error_clear(&err);
	free(json);
	free(expected);
}

/* Deep equality of two yajl trees; objects compared as key sets. */
static bool tree_equal(yajl_val a, yajl_val b, char *where, size_t wsize)
{
	if (a->type != b->type) {
		snprintf(where, wsize, "type differs");
		return false;
	}
	switch (a->type) {
	case yajl_t_string:
		return strcmp(a->u.string, b->u.string) == 0 ||
		       (snprintf(where, wsize, "\"%s\" vs \"%s\"", a->u.string, b->u.string),
			false);
	case yajl_t_number:
		return strcmp(a->u.number.r, b->u.number.r) == 0 ||
		       (snprintf(where, wsize, "%s vs %s", a->u.number.r, b->u.number.r), false);
	case yajl_t_array:
		if (a->u.array.len != b->u.array.len)
			return snprintf(where, wsize, "array length differs"), false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!tree_equal(a->u.array.values[i], b->u.array.values[i], where, wsize))
				return false;
		return true;
	case yajl_t_object:
		if (a->u.object.len != b->u.object.len) {
			snprintf(where, wsize, "object key count %zu vs %zu (first key %s)",
				 a->u.object.len, b->u.object.len,
				 a->u.object.len ? a->u.object.keys[0] : "-");
			return false;
		}
		for (size_t i = 0; i < a->u.object.len; i++) {
			const char *path[] = {a->u.object.keys[i], NULL};
			yajl_val bv = yajl_tree_get(b, path, yajl_t_any);
			if (!bv)
				return snprintf(where, wsize, "key %s missing", path[0]), false;
			if (!tree_equal(a->u.object.values[i], bv, where, wsize)) {
				size_t l = strlen(where);
				snprintf(where + l, wsize - l, " (under %s)", path[0]);
				return false;
			}
		}
		return true;
	default:
		return true;
	}
}

static void check_valid(const char *name, bool exact_tree)
{
	char rel[512], desc[600];
	size_t len = 0;
	snprintf(rel, sizeof(rel), "valid/%s", name);
	char *json = corpus_read(rel, &len);
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL, *c2 = NULL;
	snprintf(desc, sizeof(desc), "valid/%s parses", name);
	int r = json ? oci_config_parse(json, len, name, &c, &err) : -1;
	CHECK(r == 0, desc);
	if (r < 0) {
		printf("#   error: %s\n", err.msg ? err.msg : "(unreadable)");
		vs_error_clear(&err);
		free(json);
		return;
	}
	char *out = oci_config_to_json(c);
	snprintf(desc, sizeof(desc), "valid/%s: serialized output parses again", name);
	r = oci_config_parse(out, strlen(out), "serialized", &c2, &err);
	CHECK(r == 0, desc);
	if (r == 0) {
		char *out2 = oci_config_to_json(c2);
		snprintf(desc, sizeof(desc), "valid/%s: serialize(parse(serialize(c))) is stable",
			 name);
		CHECK(strcmp(out, out2) == 0, desc);
		free(out2);
	} else {
		printf("#   error: %s\n", err.msg);
		vs_error_clear(&err);
	}
	if (exact_tree) {
		char ebuf[256] = "", where[512] = "";
		yajl_val in = yajl_tree_parse(json, ebuf, sizeof(ebuf));
		yajl_val gen = yajl_tree_parse(out, ebuf, sizeof(ebuf));
		snprintf(desc, sizeof(desc), "valid/%s: serialized tree equals the input tree",
			 name);
		bool eq = in && gen && tree_equal(in, gen, where, sizeof(where));
		CHECK(eq, desc);
		if (!eq)
			printf("#   %s\n", where);
		yajl_tree_free(in);
		yajl_tree_free(gen);
	}
	free(out);
	oci_config_free(c);
	oci_config_free(c2);
	free(json);
}

/* Every proper prefix of a valid config is refused with a message naming
 * the source, and every single-byte corruption either parses or is refused
 * cleanly (under ASan/valgrind this also proves no leak or overread on any
 * error path). */
static void check_mutations(const char *name)
{
	char rel[512], desc[600];
	size_t len = 0;
	snprintf(rel, sizeof(rel), "valid/%s", name);
	char *json = corpus_read(rel, &len);
	if (!json)
		return;
	size_t bad_prefix = 0, bad_flip = 0;
	for (size_t n = 0; n < len; n++) {
		struct vs_error err = VS_ERROR_INIT;
		struct oci_config *c = NULL;
		/* the text is at most one trailing newline longer than the object */
		bool complete = n > 0 && strspn(json + n, " \t\r\n") == len - n;
		int r = oci_config_parse(json, n, "config.json", &c, &err);
		if (complete ? r != 0
			     : (r == 0 || !err.msg || strncmp(err.msg, "config.json: ", 13)))
			bad_prefix++;
		oci_config_free(c);
		vs_error_clear(&err);
	}
	static const char junk[] = {'"', '{', ']', '1', '-', 'x', '\0', ','};
	for (size_t i = 0; i < len; i += 3) {
		for (size_t j = 0; j < sizeof(junk); j++) {
			struct vs_error err = VS_ERROR_INIT;
			struct oci_config *c = NULL;
			char saved = json[i];
			json[i] = junk[j];
			int r = oci_config_parse(json, len, "config.json", &c, &err);
			if (r == 0 ? c == NULL || err.msg != NULL
				   : c != NULL || !err.msg || strncmp(err.msg, "config.json: ", 13))
				bad_flip++;
			json[i] = saved;
			oci_config_free(c);
			vs_error_clear(&err);
		}
	}
	snprintf(desc, sizeof(desc), "valid/%s: every truncation is refused cleanly", name);
	CHECK(bad_prefix == 0, desc);
	snprintf(desc, sizeof(desc), "valid/%s: single-byte corruptions parse or fail cleanly",
		 name);
	CHECK(bad_flip == 0, desc);
	free(json);
}

int main(void)
{
	char **invalid = corpus_list("invalid", ".json");
	CHECK(vs_strv_len(invalid) >= 40, "at least 40 malformed configs in the corpus");
	for (size_t i = 0; invalid && invalid[i]; i++)
		check_invalid(invalid[i]);
	vs_strv_free(invalid);

	char **valid = corpus_list("valid", ".json");
	CHECK(vs_strv_len(valid) >= 4, "valid corpus present");
	for (size_t i = 0; valid && valid[i]; i++) {
		/* unknown-fields.json carries fields vessel ignores on purpose,
		 * and nulls that read as absent: its output differs by design */
		bool exact = strcmp(valid[i], "unknown-fields.json") != 0;
		check_valid(valid[i], exact);
	}
	vs_strv_free(valid);
	check_mutations("runc-spec.json");
	check_mutations("full.json");
	return tap_done();
}
