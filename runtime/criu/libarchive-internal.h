/* libarchive for --export / --import (archive.c), loaded at first use as
 * runtime/image loads it for `image import`: every other command must not
 * map it and its dependencies.  cr_archive_X has archive_X's own type (the
 * prototypes come from archive.h), so a mismatch is a compile error. */
#ifndef VESSEL_RUNTIME_CRIU_LIBARCHIVE_INTERNAL_H
#define VESSEL_RUNTIME_CRIU_LIBARCHIVE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"

#define CR_LIBARCHIVE_SYMBOLS(X)                                                                   \
	X(archive_error_string)                                                                    \
	X(archive_read_new)                                                                        \
	X(archive_read_free)                                                                       \
	X(archive_read_support_filter_all)                                                         \
	X(archive_read_support_format_tar)                                                         \
	X(archive_read_open_filename)                                                              \
	X(archive_read_next_header)                                                                \
	X(archive_read_next_header2)                                                               \
	X(archive_read_data)                                                                       \
	X(archive_read_data_block)                                                                 \
	X(archive_read_extract2)                                                                   \
	X(archive_read_disk_new)                                                                   \
	X(archive_read_disk_set_symlink_physical)                                                  \
	X(archive_read_disk_set_behavior)                                                          \
	X(archive_read_disk_open)                                                                  \
	X(archive_read_disk_descend)                                                               \
	X(archive_write_new)                                                                       \
	X(archive_write_free)                                                                      \
	X(archive_write_close)                                                                     \
	X(archive_write_set_format_pax_restricted)                                                 \
	X(archive_write_open_fd)                                                                   \
	X(archive_write_header)                                                                    \
	X(archive_write_data)                                                                      \
	X(archive_write_disk_new)                                                                  \
	X(archive_write_disk_set_options)                                                          \
	X(archive_entry_new)                                                                       \
	X(archive_entry_free)                                                                      \
	X(archive_entry_pathname)                                                                  \
	X(archive_entry_set_pathname)                                                              \
	X(archive_entry_hardlink)                                                                  \
	X(archive_entry_set_hardlink)                                                              \
	X(archive_entry_filetype)                                                                  \
	X(archive_entry_set_filetype)                                                              \
	X(archive_entry_set_perm)                                                                  \
	X(archive_entry_set_size)                                                                  \
	X(archive_entry_size)

#define CR_LIBARCHIVE_DECLARE(f) extern __typeof__(f) *cr_##f;
CR_LIBARCHIVE_SYMBOLS(CR_LIBARCHIVE_DECLARE)
#undef CR_LIBARCHIVE_DECLARE

/* dlopen the libarchive this build was compiled against (once). */
int cr_load_libarchive(struct vs_error *err);

#endif
