/*
 * benchrun.c - xsw-benchrun, the measuring wrapper of the analyzer
 * benchmark (analyzer/bench.sh): runs one command as a child and reports
 * what getrusage(2) says about it (RUSAGE_CHILDREN via wait4), so the figures
 * do not depend on /usr/bin/time being installed.
 *
 *   xsw-benchrun [-o OUT] CMD ARGS...
 *       runs CMD with stdout to OUT (default /dev/null), then prints
 *       "status WALL_S USER_S SYS_S MAXRSS_KB" on stdout
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    int a = 1;
    const char *out = "/dev/null";
    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        out = argv[2];
        a = 3;
    }
    if (a >= argc) {
        fprintf(stderr, "usage: xsw-benchrun [-o OUT] CMD ARGS...\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("xsw-benchrun: fork");
        return 2;
    }
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0) {
            perror(out);
            _exit(127);
        }
        close(fd);
        execvp(argv[a], argv + a);
        perror(argv[a]);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) {
        perror("xsw-benchrun: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    /* ru_maxrss is in kilobytes on Linux. */
    printf("%d %.3f %.3f %.3f %ld\n", code, wall, tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss);
    return 0;
}
