/* Content addressing: sha256 of blobs, OCI descriptors, and the small JSON
 * lookups the image code needs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"

static void to_hex(const uint8_t *md, char ret_hex[IMG_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		ret_hex[2 * i] = digits[md[i] >> 4];
		ret_hex[2 * i + 1] = digits[md[i] & 15];
	}
	ret_hex[IMG_HEX_LEN] = '\0';
}

void img_sha256_digest_hex(struct sha256_ctx *ctx, char ret_hex[IMG_HEX_LEN + 1])
{
	uint8_t md[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof(md), md);
	to_hex(md, ret_hex);
}

void img_sha256_hex(const void *data, size_t len, char ret_hex[IMG_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	img_sha256_digest_hex(&ctx, ret_hex);
}

int img_sha256_file(const char *path, char ret_hex[IMG_HEX_LEN + 1], uint64_t *ret_size,
		    struct vs_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	static uint8_t buf[1 << 16];
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vs_error_errno(err, errno, "read %s", path);
		if (n == 0)
			break;
		sha256_update(&ctx, (size_t)n, buf);
		total += (uint64_t)n;
	}
	img_sha256_digest_hex(&ctx, ret_hex);
	if (ret_size)
		*ret_size = total;
	return 0;
}

int img_digest_hex(const char *digest, const char **ret_hex, struct vs_error *err)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0)
		return vs_error_set(err, "digest \"%s\": only sha256 digests are supported",
				    digest ? digest : "");
	const char *hex = digest + 7;
	size_t n = strspn(hex, "0123456789abcdef");
	if (n != IMG_HEX_LEN || hex[n] != '\0')
		return vs_error_set(err, "digest \"%s\": expected 64 lower-case hex digits",
				    digest);
	*ret_hex = hex;
	return 0;
}

yajl_val img_json_get(yajl_val obj, const char *key, yajl_type type)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		yajl_val v = obj->u.object.values[i];
		return v && v->type == type ? v : NULL;
	}
	return NULL;
}

const char *img_json_str(yajl_val obj, const char *key)
{
	yajl_val v = img_json_get(obj, key, yajl_t_string);
	return v ? v->u.string : NULL;
}

void img_desc_clear(struct img_desc *d)
{
	free(d->media_type);
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

int img_desc_parse(yajl_val v, const char *where, struct img_desc *ret, struct vs_error *err)
{
	const char *hex;
	const char *digest = img_json_str(v, "digest");
	yajl_val size = img_json_get(v, "size", yajl_t_number);
	if (!YAJL_IS_OBJECT(v))
		return vs_error_set(err, "%s: expected a descriptor object", where);
	if (!digest)
		return vs_error_set(err, "%s: no digest", where);
	if (img_digest_hex(digest, &hex, err) < 0)
		return vs_error_wrap(err, "%s", where);
	if (!size || !YAJL_IS_INTEGER(size) || YAJL_GET_INTEGER(size) < 0)
		return vs_error_set(err, "%s: size: expected a non-negative integer", where);
	const char *mt = img_json_str(v, "mediaType");
	ret->media_type = mt ? vs_strdup(mt) : NULL;
	ret->digest = vs_strdup(digest);
	ret->size = YAJL_GET_INTEGER(size);
	return 0;
}

int img_blob_verify(const char *layout, const struct img_desc *d, char **ret_path,
		    struct vs_error *err)
{
	const char *hex;
	if (img_digest_hex(d->digest, &hex, err) < 0)
		return -1;
	_cleanup_free_ char *path = vs_strdup_printf("%s/blobs/sha256/%s", layout, hex);
	char got[IMG_HEX_LEN + 1];
	uint64_t size;
	if (img_sha256_file(path, got, &size, err) < 0)
		return vs_error_wrap(err, "blob %s", d->digest);
	if (size != (uint64_t)d->size)
		return vs_error_set(err,
				    "blob %s: size %" PRIu64 " differs from the %" PRId64
				    " bytes its descriptor says (truncated or corrupt)",
				    d->digest, size, d->size);
	if (strcmp(got, hex) != 0)
		return vs_error_set(err,
				    "blob %s: digest mismatch: the content hashes to sha256:%s",
				    d->digest, got);
	*ret_path = TAKE_PTR(path);
	return 0;
}

int img_blob_read_json(const char *layout, const struct img_desc *d, char **ret_text,
		       yajl_val *ret_tree, struct vs_error *err)
{
	if (d->size > (int64_t)IMG_JSON_MAX)
		return vs_error_set(err,
				    "blob %s: %" PRId64 " bytes is too big for a JSON document",
				    d->digest, d->size);
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	if (img_blob_verify(layout, d, &path, err) < 0 ||
	    vs_read_file(path, IMG_JSON_MAX, &text, NULL, err) < 0)
		return -1;
	/* Verified again over the bytes read: the file could have changed
	 * between the hash and the read. */
	char got[IMG_HEX_LEN + 1];
	img_sha256_hex(text, strlen(text), got);
	if (strcmp(got, d->digest + 7) != 0)
		return vs_error_set(err, "blob %s: changed while being read", d->digest);
	char msg[256] = "";
	yajl_val tree = yajl_tree_parse(text, msg, sizeof(msg));
	if (!tree)
		return vs_error_set(err, "blob %s: invalid JSON: %s", d->digest, msg);
	*ret_tree = tree;
	*ret_text = TAKE_PTR(text);
	return 0;
}
