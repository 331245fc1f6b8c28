/* Pure rules: image names, the store's location, layer tar paths. */
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image.h"

#define IMG_NAME_MAX 128
#define WH_PREFIX    ".wh."
#define WH_META	     ".wh..wh."
#define WH_OPAQUE    ".wh..wh..opq"

const char *img_store_path(const char *explicit_store)
{
	if (explicit_store && *explicit_store)
		return explicit_store;
	const char *env = getenv(IMG_STORE_ENV);
	return env && *env ? env : IMG_DEFAULT_STORE;
}

int img_validate_name(const char *name, struct vs_error *err)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-";
	size_t n = name ? strlen(name) : 0;
	if (n == 0)
		return vs_error_set(err, "image name: empty");
	if (n > IMG_NAME_MAX)
		return vs_error_set(err, "image name: longer than %d characters", IMG_NAME_MAX);
	size_t bad = strspn(name, ok);
	if (bad != n)
		return vs_error_set(
		    err,
		    "image name \"%s\": character '%c' is not allowed (use letters, "
		    "digits, '_', '.', ':' and '-')",
		    name, name[bad]);
	if (strchr("_.:-", name[0]))
		return vs_error_set(err, "image name \"%s\": must start with a letter or digit",
				    name);
	return 0;
}

/* "./a//b/" -> "a/b"; refuses "..". */
static int normalise(const char *in, char **ret, struct vs_error *err)
{
	_cleanup_free_ char *copy = vs_strdup(in);
	char *out = vs_malloc0(strlen(in) + 1);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			free(out);
			return vs_error_set(err, "layer entry \"%s\": '..' is not allowed", in);
		}
		if (*out)
			strcat(out, "/");
		strcat(out, c);
	}
	*ret = out;
	return 0;
}

int img_classify_entry(const char *tar_path, enum img_entry_kind *ret_kind, char **ret_path,
		       struct vs_error *err)
{
	_cleanup_free_ char *norm = NULL;
	/* libarchive gives no name for a header whose name field is empty or
	 * cannot be converted (found by tests/fuzz/fuzz-image-layer) */
	if (!tar_path)
		return vs_error_set(err, "layer entry without a name");
	if (normalise(tar_path, &norm, err) < 0)
		return -1;
	char *slash = strrchr(norm, '/');
	char *base = slash ? slash + 1 : norm;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0) {
		*ret_kind = IMG_ENTRY_FILE;
		*ret_path = TAKE_PTR(norm);
		return 0;
	}
	if (strcmp(base, WH_OPAQUE) == 0) {
		*ret_kind = IMG_ENTRY_OPAQUE;
		*base = '\0';
	} else if (strncmp(base, WH_META, strlen(WH_META)) == 0) {
		*ret_kind = IMG_ENTRY_META;
	} else {
		*ret_kind = IMG_ENTRY_WHITEOUT;
		if (base[strlen(WH_PREFIX)] == '\0')
			return vs_error_set(err, "layer entry \"%s\": a whiteout of nothing",
					    tar_path);
		memmove(base, base + strlen(WH_PREFIX), strlen(base + strlen(WH_PREFIX)) + 1);
	}
	if (slash && *ret_kind == IMG_ENTRY_OPAQUE)
		*slash = '\0';
	*ret_path = TAKE_PTR(norm);
	return 0;
}
