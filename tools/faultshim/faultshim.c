/*
 * faultshim: an LD_PRELOAD library that makes chosen file system calls fail with a chosen errno, for the
 * operational-fault tests of vfio-migrate (docs/reliability.md, "Operational faults").
 *
 * It sits between the process and libc, so it reaches every file the process touches: .NET's FileStream, File.Move,
 * Mono.Posix calls alike. Only calls on paths containing FAULTSHIM_PATH are counted and failed; everything else
 * (the runtime loading its assemblies, the terminal) passes through untouched.
 *
 *   FAULTSHIM_PATH   substring a path must contain to be a target (required; unset = the shim does nothing)
 *   FAULTSHIM_OP     open | write | fsync | rename | unlink | mkdir | any     (default any)
 *                    open counts opens that create or write (O_CREAT, O_WRONLY, O_RDWR) unless FAULTSHIM_READS=1;
 *                    write and fsync count calls on descriptors opened on a target path; rename counts either name
 *   FAULTSHIM_ERRNO  ENOSPC | EIO | EROFS | EACCES | EPERM | EDQUOT | a number   (default EIO)
 *   FAULTSHIM_AFTER  how many matching calls succeed before the first failure   (default 0)
 *   FAULTSHIM_TIMES  how many calls fail from then on; 0 = every later call      (default 0)
 *   FAULTSHIM_LOG    a file to which each injected failure is appended as one line (optional)
 *
 * Build: gcc -shared -fPIC -O2 -o faultshim.so faultshim.c -ldl      (tools/faultshim/build.sh does exactly this)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 65536

enum op { OP_ANY, OP_OPEN, OP_WRITE, OP_FSYNC, OP_RENAME, OP_UNLINK, OP_MKDIR };

static int initialised;
static const char *pattern;
static enum op wanted = OP_ANY;
static int fail_errno = EIO;
static long after;
static long times;
static long seen;
static int count_reads;
static const char *log_path;
static unsigned char tracked[MAX_FDS];

static int errno_of(const char *name)
{
    static const struct { const char *name; int value; } names[] = {
        { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EROFS", EROFS }, { "EACCES", EACCES }, { "EPERM", EPERM },
        { "EDQUOT", EDQUOT }, { "ENOENT", ENOENT }, { "EISDIR", EISDIR }, { "ELOOP", ELOOP }, { "EFBIG", EFBIG },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            return names[i].value;
        }
    }
    int value = atoi(name);
    return value > 0 ? value : EIO;
}

static void init(void)
{
    if (__atomic_load_n(&initialised, __ATOMIC_ACQUIRE)) {
        return;
    }
    pattern = getenv("FAULTSHIM_PATH");
    if (pattern != NULL && *pattern == '\0') {
        pattern = NULL;
    }
    const char *op = getenv("FAULTSHIM_OP");
    if (op != NULL) {
        wanted = strcmp(op, "open") == 0 ? OP_OPEN : strcmp(op, "write") == 0 ? OP_WRITE
            : strcmp(op, "fsync") == 0 ? OP_FSYNC : strcmp(op, "rename") == 0 ? OP_RENAME
            : strcmp(op, "unlink") == 0 ? OP_UNLINK : strcmp(op, "mkdir") == 0 ? OP_MKDIR : OP_ANY;
    }
    const char *e = getenv("FAULTSHIM_ERRNO");
    if (e != NULL) {
        fail_errno = errno_of(e);
    }
    const char *a = getenv("FAULTSHIM_AFTER");
    after = a != NULL ? atol(a) : 0;
    const char *t = getenv("FAULTSHIM_TIMES");
    times = t != NULL ? atol(t) : 0;
    const char *r = getenv("FAULTSHIM_READS");
    count_reads = r != NULL && strcmp(r, "1") == 0;
    log_path = getenv("FAULTSHIM_LOG");
    __atomic_store_n(&initialised, 1, __ATOMIC_RELEASE);
}

static int matches(const char *path)
{
    return pattern != NULL && path != NULL && strstr(path, pattern) != NULL;
}

static void note(const char *call, const char *what)
{
    if (log_path == NULL) {
        return;
    }
    static int (*real_open)(const char *, int, ...);
    if (real_open == NULL) {
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    }
    int fd = real_open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return;
    }
    char line[4200];
    int n = snprintf(line, sizeof line, "%s %s errno=%d\n", call, what != NULL ? what : "", fail_errno);
    if (n > 0) {
        ssize_t (*real_write)(int, const void *, size_t) = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
        (void)real_write(fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
    }
    close(fd);
}

/* Counts one matching call of kind k; true when it must fail. */
static int should_fail_fd(enum op k, const char *call, int fd);

static int should_fail(enum op k, const char *call, const char *what)
{
    if (wanted != OP_ANY && wanted != k) {
        return 0;
    }
    long n = __atomic_add_fetch(&seen, 1, __ATOMIC_SEQ_CST);
    if (n <= after || (times > 0 && n > after + times)) {
        return 0;
    }
    note(call, what);
    return 1;
}

static int should_fail_fd(enum op k, const char *call, int fd)
{
    char what[32];
    snprintf(what, sizeof what, "fd %d", fd);
    return should_fail(k, call, what);
}

static void track(int fd, const char *path)
{
    if (fd >= 0 && fd < MAX_FDS) {
        tracked[fd] = (unsigned char)matches(path);
    }
}

static int is_tracked(int fd)
{
    return fd >= 0 && fd < MAX_FDS && tracked[fd];
}

static int counts_open(int flags)
{
    return count_reads || (flags & (O_CREAT | O_WRONLY | O_RDWR)) != 0;
}

#define REAL(name) static __typeof__(&name) real_##name; if (real_##name == NULL) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int do_open(const char *call, int dirfd, const char *path, int flags, mode_t mode, int at)
{
    init();
    if (matches(path) && counts_open(flags) && should_fail(OP_OPEN, call, path)) {
        errno = fail_errno;
        return -1;
    }
    int fd;
    if (at) {
        REAL(openat);
        fd = real_openat(dirfd, path, flags, mode);
    } else {
        REAL(open);
        fd = real_open(path, flags, mode);
    }
    track(fd, path);
    return fd;
}

static mode_t mode_of(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) != 0 ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    return do_open("open", AT_FDCWD, path, flags, mode, 0);
}

int open64(const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    return do_open("open", AT_FDCWD, path, flags, mode, 0);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    return do_open("openat", dirfd, path, flags, mode, 1);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    return do_open("openat", dirfd, path, flags, mode, 1);
}

int creat(const char *path, mode_t mode)
{
    return do_open("creat", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int creat64(const char *path, mode_t mode)
{
    return do_open("creat", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int close(int fd)
{
    REAL(close);
    if (fd >= 0 && fd < MAX_FDS) {
        tracked[fd] = 0;
    }
    return real_close(fd);
}

#define WRITE_HOOK(name, ret, params, args)                                                  \
    ret name params                                                                          \
    {                                                                                        \
        init();                                                                              \
        if (is_tracked(fd) && should_fail_fd(OP_WRITE, #name, fd)) {                        \
            errno = fail_errno;                                                              \
            return -1;                                                                       \
        }                                                                                    \
        REAL(name);                                                          \
        return real_##name args;                                                             \
    }

WRITE_HOOK(write, ssize_t, (int fd, const void *buf, size_t count), (fd, buf, count))
WRITE_HOOK(pwrite, ssize_t, (int fd, const void *buf, size_t count, off_t offset), (fd, buf, count, offset))
WRITE_HOOK(pwrite64, ssize_t, (int fd, const void *buf, size_t count, off_t offset), (fd, buf, count, offset))
WRITE_HOOK(writev, ssize_t, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))
WRITE_HOOK(pwritev, ssize_t, (int fd, const struct iovec *iov, int cnt, off_t offset), (fd, iov, cnt, offset))
WRITE_HOOK(pwritev64, ssize_t, (int fd, const struct iovec *iov, int cnt, off_t offset), (fd, iov, cnt, offset))

#define SYNC_HOOK(name)                                                                      \
    int name(int fd)                                                                         \
    {                                                                                        \
        init();                                                                              \
        if (is_tracked(fd) && should_fail_fd(OP_FSYNC, #name, fd)) {                        \
            errno = fail_errno;                                                              \
            return -1;                                                                       \
        }                                                                                    \
        REAL(name);                                                            \
        return real_##name(fd);                                                              \
    }

SYNC_HOOK(fsync)
SYNC_HOOK(fdatasync)

int rename(const char *from, const char *to)
{
    init();
    if ((matches(from) || matches(to)) && should_fail(OP_RENAME, "rename", to)) {
        errno = fail_errno;
        return -1;
    }
    REAL(rename);
    return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    init();
    if ((matches(from) || matches(to)) && should_fail(OP_RENAME, "renameat", to)) {
        errno = fail_errno;
        return -1;
    }
    REAL(renameat);
    return real_renameat(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
    init();
    if ((matches(from) || matches(to)) && should_fail(OP_RENAME, "renameat2", to)) {
        errno = fail_errno;
        return -1;
    }
    REAL(renameat2);
    return real_renameat2(fromfd, from, tofd, to, flags);
}

int unlink(const char *path)
{
    init();
    if (matches(path) && should_fail(OP_UNLINK, "unlink", path)) {
        errno = fail_errno;
        return -1;
    }
    REAL(unlink);
    return real_unlink(path);
}

int mkdir(const char *path, mode_t mode)
{
    init();
    if (matches(path) && should_fail(OP_MKDIR, "mkdir", path)) {
        errno = fail_errno;
        return -1;
    }
    REAL(mkdir);
    return real_mkdir(path, mode);
}
