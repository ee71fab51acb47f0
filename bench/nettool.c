/*
 * Minimal traffic tool for the data-path benchmark, built statically so that
 * it runs in the test guest's busybox initramfs.
 *
 *   nettool tcp-send HOST PORT SECONDS       stream 64 KiB writes
 *   nettool tcp-recv PORT SECONDS CONNS      count bytes of CONNS streams
 *   nettool udp-send HOST PORT SECONDS SIZE  send SIZE-byte datagrams
 *   nettool udp-recv PORT SECONDS            count datagrams
 *
 * Receivers print "bytes=N packets=N seconds=S", measured from the first
 * byte received to SECONDS later (or the end of all streams).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr(const char *host, const char *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };

    sa.sin_port = htons(atoi(port));
    sa.sin_addr.s_addr = host ? inet_addr(host) : INADDR_ANY;
    return sa;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int tcp_send(const char *host, const char *port, double secs)
{
    static char buf[65536];
    struct sockaddr_in sa = addr(host, port);
    long long total = 0;
    double end;
    int s = socket(AF_INET, SOCK_STREAM, 0), tries;

    for (tries = 0; connect(s, (struct sockaddr *)&sa, sizeof(sa)); tries++) {
        if (tries == 50) {
            die("connect");
        }
        close(s);
        usleep(100000);
        s = socket(AF_INET, SOCK_STREAM, 0);
    }
    end = now() + secs;
    while (now() < end) {
        ssize_t n = write(s, buf, sizeof(buf));
        if (n < 0) {
            die("write");
        }
        total += n;
    }
    close(s);
    printf("sent bytes=%lld\n", total);
    return 0;
}

static int tcp_recv(const char *port, double secs, int conns)
{
    static char buf[65536];
    struct sockaddr_in sa = addr(NULL, port);
    struct pollfd pfd[64];
    long long total = 0;
    double start = 0, end = 0;
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1, open_conns, i;

    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 64)) {
        die("bind/listen");
    }
    if (conns > 64) {
        conns = 64;
    }
    for (i = 0; i < conns; i++) {
        pfd[i].fd = accept(l, NULL, NULL);
        pfd[i].events = POLLIN;
        if (pfd[i].fd < 0) {
            die("accept");
        }
    }
    open_conns = conns;
    while (open_conns > 0 && (!start || now() < end)) {
        if (poll(pfd, conns, 1000) < 0) {
            die("poll");
        }
        for (i = 0; i < conns; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents) {
                ssize_t n = read(pfd[i].fd, buf, sizeof(buf));
                if (n <= 0) {
                    close(pfd[i].fd);
                    pfd[i].fd = -1;
                    open_conns--;
                    continue;
                }
                if (!start) {
                    start = now();
                    end = start + secs;
                }
                total += n;
            }
        }
    }
    printf("bytes=%lld packets=0 seconds=%.3f\n", total, now() - start);
    return 0;
}

static int udp_send(const char *host, const char *port, double secs, int size)
{
    static char buf[65536];
    struct sockaddr_in sa = addr(host, port);
    long long count = 0;
    double end = now() + secs;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
        die("connect");
    }
    while (now() < end) {
        if (send(s, buf, size, 0) == size) {
            count++;
        }
    }
    printf("sent packets=%lld\n", count);
    return 0;
}

static int udp_recv(const char *port, double secs)
{
    static char buf[65536];
    struct sockaddr_in sa = addr(NULL, port);
    long long count = 0, bytes = 0;
    double start = 0, give_up = now() + secs + 120;
    int s = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 4 << 20;
    struct timeval tv = { .tv_sec = 1 };

    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
        die("bind");
    }
    for (;;) {
        ssize_t n = recv(s, buf, sizeof(buf), 0);
        if (n < 0) {
            if ((start && now() > start + secs) || now() > give_up) {
                break;
            }
            continue;
        }
        if (!start) {
            start = now();
        }
        if (now() > start + secs) {
            break;
        }
        count++;
        bytes += n;
    }
    printf("bytes=%lld packets=%lld seconds=%.3f\n", bytes, count, secs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "tcp-send")) {
        return tcp_send(argv[2], argv[3], atof(argv[4]));
    }
    if (argc == 5 && !strcmp(argv[1], "tcp-recv")) {
        return tcp_recv(argv[2], atof(argv[3]), atoi(argv[4]));
    }
    if (argc == 6 && !strcmp(argv[1], "udp-send")) {
        return udp_send(argv[2], argv[3], atof(argv[4]), atoi(argv[5]));
    }
    if (argc == 4 && !strcmp(argv[1], "udp-recv")) {
        return udp_recv(argv[2], atof(argv[3]));
    }
    fprintf(stderr, "usage: see the comment at the top of nettool.c\n");
    return 2;
}
