/* The CRIU flags `checkpoint` and `restore` share (runc's names), parsed
 * once for both into struct cr_common.  A command's option table lists its
 * own options, then CRIU_COMMON_OPTIONS; its parser hands every id it does
 * not know to criu_parse_common(). */
#ifndef VESSEL_CMD_CRIU_OPTS_H
#define VESSEL_CMD_CRIU_OPTS_H

#include "cmd/cli.h"
#include "runtime/criu/criu.h"

/* Above any command's own long-option ids. */
enum {
	OPT_CR_IMAGE_PATH = CLI_OPT_LONG + 100,
	OPT_CR_WORK_PATH,
	OPT_CR_TCP_ESTABLISHED,
	OPT_CR_EXT_UNIX_SK,
	OPT_CR_SHELL_JOB,
	OPT_CR_FILE_LOCKS,
	OPT_CR_MANAGE_CGROUPS_MODE,
	OPT_CR_EMPTY_NS,
	OPT_CR_AUTO_DEDUP,
	OPT_CR_LAZY_PAGES,
};

#define CRIU_COMMON_OPTIONS                                                                        \
	{"image-path", OPT_CR_IMAGE_PATH, CLI_ARG, "DIR",                                          \
	 "the checkpoint's images (default ./checkpoint)"},                                        \
	    {"work-path", OPT_CR_WORK_PATH, CLI_ARG, "DIR",                                        \
	     "where criu writes its log (default: image path)"},                                   \
	    {"tcp-established", OPT_CR_TCP_ESTABLISHED, CLI_NOARG, NULL,                           \
	     "established TCP connections"},                                                       \
	    {"ext-unix-sk", OPT_CR_EXT_UNIX_SK, CLI_NOARG, NULL, "allow external unix sockets"},   \
	    {"shell-job", OPT_CR_SHELL_JOB, CLI_NOARG, NULL,                                       \
	     "allow a shell job (session of a terminal)"},                                         \
	    {"file-locks", OPT_CR_FILE_LOCKS, CLI_NOARG, NULL, "file locks"},                      \
	    {"manage-cgroups-mode", OPT_CR_MANAGE_CGROUPS_MODE, CLI_ARG, "MODE",                   \
	     "soft|full|strict|ignore (default soft)"},                                            \
	    {"empty-ns", OPT_CR_EMPTY_NS, CLI_ARG, "NS",                                           \
	     "network: criu leaves the namespace empty"},                                          \
	    {"auto-dedup", OPT_CR_AUTO_DEDUP, CLI_NOARG, NULL, "deduplicate the images"},          \
	{                                                                                          \
		"lazy-pages", OPT_CR_LAZY_PAGES, CLI_NOARG, NULL,                                  \
		    "post-copy: pages served on demand (userfaultfd)"                              \
	}

/* Parse option c into o: 0 when done, 1 when it failed (printed), -1
 * when c is not a shared option. */
int criu_parse_common(struct vs_cli *cli, int c, struct cr_common *o);

#endif
