/* Sanitizer reports from the processes vessel clones (sanitizer builds only:
 * `make asan`, `make fuzz`; a no-op otherwise).
 *
 * ASan/UBSan open their log_path (from ASAN_OPTIONS) lazily, at the first
 * report, in the process that reports.  A container's init reports after
 * pivot_root and an exec'd process after setns into the container's mount
 * namespace, where that path does not exist: the report would go to the
 * container's stderr, which a detached container or a client swallows.  So
 * each such process calls vs_sanitizer_child() first, while it still sees
 * the host's files: the first call in a process tree opens
 * "<log_path>.child.XXXXXX" and makes it the report file; a later call in a
 * descendant (the exec's second stage) hands the same fd on, since the
 * runtime only writes to a report fd from the process that set it. */
#ifndef VESSEL_LIB_SANITIZE_H
#define VESSEL_LIB_SANITIZE_H

void vs_sanitizer_child(void);

/* The report fd vs_sanitizer_child opened, or -1 (none, or not a sanitizer
 * build).  The fd clean-ups of the init and of exec keep it: they run
 * before pivot_root and setns, and a report written to a closed fd is lost
 * (or lands in whatever file reuses the number).  It is O_CLOEXEC, so the
 * container's process never sees it. */
int vs_sanitizer_fd(void);

/* Test hook of sanitizer builds: when VESSEL_SANITIZER_SELFTEST equals
 * `where` ("init": after pivot_root; "init-ready": the init's last step,
 * after its fd clean-ups; "exec": after joining the container),
 * make one deliberate heap overflow, so tests can check that a report from
 * there reaches the log.  Compiled out of other builds. */
void vs_sanitizer_selftest(const char *where);

#endif
