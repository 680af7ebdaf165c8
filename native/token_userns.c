// Runs a command inside a new user namespace (uid and gid 0 mapped to the caller's) and mount namespace, with a
// BPF filesystem that delegates BPF rights to that user namespace mounted at MOUNTPOINT, so that the command can
// create a BPF token from it. The sequence is the kernel selftests' (prog_tests/token.c), written with syscalls
// only: the child creates the bpffs context (fsopen, so the superblock belongs to its user namespace) and passes
// it over a unix socket; the privileged parent sets the delegate_* options, which only the initial user namespace
// may set, creates and mounts it detached (fsmount) and passes the mount back; the child moves it onto
// MOUNTPOINT in its private mount namespace and execs the command. Everything goes away with the child.
//
// usage: token_userns [-c CMDS] [-m MAPS] [-p PROGS] [-a ATTACHS] MOUNTPOINT COMMAND [ARGS...]
// The delegate masks are bpffs option strings ("any", "0x40", ...); default "any" for each.
// Exit: the command's status; 77 with "refused: STEP: ERRNO" on stderr when the kernel refused a step.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REFUSED 77

static int refused(const char *step)
{
    fprintf(stderr, "refused: %s: %s\n", step, strerrorname_np(errno) ? strerrorname_np(errno) : strerror(errno));
    return REFUSED;
}

static int send_fd(int sock, int fd)
{
    char byte = 0;
    struct iovec io = { .iov_base = &byte, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int receive_fd(int sock)
{
    char byte;
    struct iovec io = { .iov_base = &byte, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    if (recvmsg(sock, &msg, 0) != 1)
        return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        errno = EPROTO;
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int child(int sock, const char *mountpoint, char **command)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER))
        return refused("unshare(CLONE_NEWUSER)");
    if (write_file("/proc/self/setgroups", "deny") && errno != ENOENT)
        return refused("setgroups deny");
    snprintf(map, sizeof(map), "0 %u 1", uid);
    if (write_file("/proc/self/uid_map", map))
        return refused("uid_map");
    snprintf(map, sizeof(map), "0 %u 1", gid);
    if (write_file("/proc/self/gid_map", map))
        return refused("gid_map");
    if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
        return refused("setresuid(0)");
    if (unshare(CLONE_NEWNS))
        return refused("unshare(CLONE_NEWNS)");
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
        return refused("mount --make-rprivate /");
    int fs = (int)syscall(SYS_fsopen, "bpf", FSOPEN_CLOEXEC);
    if (fs < 0)
        return refused("fsopen(bpf)");
    if (send_fd(sock, fs))
        return refused("send bpffs context");
    close(fs);
    int mnt = receive_fd(sock);
    if (mnt < 0) {
        fprintf(stderr, "the parent sent no mount\n");
        return REFUSED;
    }
    if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, mountpoint, MOVE_MOUNT_F_EMPTY_PATH))
        return refused("move_mount");
    close(mnt);
    close(sock);
    execvp(command[0], command);
    fprintf(stderr, "exec %s: %s\n", command[0], strerror(errno));
    return 127;
}

static int parent(int sock, pid_t pid, const char *masks[4])
{
    static const char *const keys[4] = { "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" };
    char step[64];
    int status = 0;
    int fs = receive_fd(sock);
    if (fs < 0) {
        status = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : REFUSED;
        return status ? status : REFUSED;
    }
    for (int i = 0; i < 4; i++) {
        if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, keys[i], masks[i], 0)) {
            snprintf(step, sizeof(step), "fsconfig %s=%s", keys[i], masks[i]);
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return refused(step);
        }
    }
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return refused("fsconfig create");
    }
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
    if (mnt < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return refused("fsmount");
    }
    close(fs);
    if (send_fd(sock, mnt)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return refused("send mount");
    }
    close(mnt);
    close(sock);
    if (waitpid(pid, &status, 0) != pid)
        return refused("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    const char *masks[4] = { "any", "any", "any", "any" };
    int opt;
    while ((opt = getopt(argc, argv, "+c:m:p:a:")) != -1) {
        switch (opt) {
        case 'c': masks[0] = optarg; break;
        case 'm': masks[1] = optarg; break;
        case 'p': masks[2] = optarg; break;
        case 'a': masks[3] = optarg; break;
        default: goto usage;
        }
    }
    if (argc - optind < 2)
        goto usage;
    int socks[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks))
        return refused("socketpair");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return refused("fork");
    if (pid == 0) {
        close(socks[0]);
        _exit(child(socks[1], argv[optind], argv + optind + 1));
    }
    close(socks[1]);
    return parent(socks[0], pid, masks);
usage:
    fprintf(stderr, "usage: %s [-c CMDS] [-m MAPS] [-p PROGS] [-a ATTACHS] MOUNTPOINT COMMAND [ARGS...]\n", argv[0]);
    return 64;
}
