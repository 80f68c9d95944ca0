/*
 * harness.h - the small test harness shared by the C host tests: one
 * "ok"/"FAIL" line per check, a monotonic clock and a free loopback port.
 * Each test program includes it once.
 */
#ifndef VSCPL2DRV_TEST_HARNESS_H
#define VSCPL2DRV_TEST_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sockets: POSIX, or Winsock for the Windows host test built with mingw-w64
 * (packaging/windows/test/dll_host_test.c; it calls WSAStartup itself). */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
typedef SOCKET sock_t;
typedef int sock_len_t;
#define sock_ok(s) ((s) != INVALID_SOCKET)
#define sock_close closesocket
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
typedef int sock_t;
typedef socklen_t sock_len_t;
#define sock_ok(s) ((s) >= 0)
#define sock_close close
#endif

static int passed, failed;

static void check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s ", ok ? "ok  " : "FAIL");
  vprintf(fmt, ap);
  printf("\n");
  fflush(stdout);
  va_end(ap);
  if (ok)
    passed++;
  else
    failed++;
}

static double now_ms(void) {
#ifdef _WIN32
  return (double)GetTickCount64();
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
#endif
}

/* A free loopback port: bind port 0, read it back, release it. */
static int free_port(void) {
  sock_t s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  sock_len_t len = sizeof a;
  int port;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!sock_ok(s) || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0) {
    perror("free_port");
    exit(2);
  }
  port = ntohs(a.sin_port);
  sock_close(s);
  return port;
}

#endif
