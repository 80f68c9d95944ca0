/*
 * ws_harness.h - the websocket side of the C host tests that drive an
 * instance from both ends (capi/test/ws_host_test.c on Linux,
 * packaging/windows/test/dll_host_test.c on Windows): the instance's inline
 * configuration and a minimal websocket client (RFC 6455 upgrade over a
 * plain TCP socket, unmasked server frames in, masked client frames out).
 * POSIX sockets or Winsock; include harness.h first.
 */
#ifndef VSCPL2DRV_TEST_WS_HARNESS_H
#define VSCPL2DRV_TEST_WS_HARNESS_H

#include <stdint.h>

static char cfgbuf[1024];
/* Inline config on 127.0.0.1:port: credentials in clear (encryption none),
 * the MD5 user admin:secret, no pings, quiet console. */
static const char *config_for(int port, const char *abi) {
  snprintf(cfgbuf, sizeof cfgbuf,
           "{\"interface\":\"ws://127.0.0.1:%d\",\"abi\":\"%s\",\"encryption\":\"none\","
           "\"users\":[{\"name\":\"admin\",\"password\":\"2d1e4f91dae49cd08eaba2293e422273\","
           "\"rights\":\"admin\"}],\"auth-throttle\":false,\"ws-ping-interval\":0,"
           "\"logging\":{\"console-log-level\":\"error\"}}",
           port, abi);
  return cfgbuf;
}

/* The all-zero GUID as ws1 writes it. */
#define Z16 "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"

static const unsigned char ifguid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                                         0, 0, 0, 0, 0, 0, 0xAB, 0xCD};

/* ---- a minimal websocket client ----------------------------------------- */

/* Send and receive timeouts of a socket, in milliseconds. */
static void sock_timeouts(sock_t s, int ms) {
#ifdef _WIN32
  DWORD tv = (DWORD)ms;
#else
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
#endif
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (const char *)&tv, sizeof tv);
}

typedef struct {
  sock_t fd;
  unsigned char buf[8192]; /* bytes received but not consumed yet */
  size_t len;
} wsconn_t;

/* Receive exactly n bytes (buffered bytes first); -1 on EOF, error or the
 * socket's receive timeout. */
static int recv_exact(wsconn_t *c, unsigned char *out, size_t n) {
  size_t got = 0;
  if (c->len > 0) {
    got = c->len < n ? c->len : n;
    memcpy(out, c->buf, got);
    memmove(c->buf, c->buf + got, c->len - got);
    c->len -= got;
  }
  while (got < n) {
    long r = recv(c->fd, (char *)out + got, (int)(n - got), 0);
    if (r <= 0)
      return -1;
    got += (size_t)r;
  }
  return 0;
}

static int send_all(sock_t fd, const void *p, size_t n) {
  const char *b = p;
  while (n > 0) {
    long r = send(fd, b, (int)n, MSG_NOSIGNAL);
    if (r <= 0)
      return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Connect to 127.0.0.1:port and upgrade to a websocket on path. Returns 0
 * and fills *status with the HTTP status line on success of the exchange. */
static int ws_connect(wsconn_t *c, int port, const char *path, char *status, size_t status_cap) {
  struct sockaddr_in a;
  char req[512];
  char *end, *eol;
  size_t hdr_len;
  memset(c, 0, sizeof *c);
  status[0] = '\0';
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (!sock_ok(c->fd))
    return -1;
  sock_timeouts(c->fd, 5000);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
    return -1;
  snprintf(req, sizeof req,
           "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
           path, port);
  if (send_all(c->fd, req, strlen(req)) != 0)
    return -1;
  /* Read until the end of the response head; the greeting frame may follow
   * in the same segment and stays buffered. */
  for (;;) {
    long r;
    c->buf[c->len] = '\0';
    end = strstr((char *)c->buf, "\r\n\r\n");
    if (end)
      break;
    if (c->len + 1 >= sizeof c->buf)
      return -1;
    r = recv(c->fd, (char *)c->buf + c->len, (int)(sizeof c->buf - c->len - 1), 0);
    if (r <= 0)
      return -1;
    c->len += (size_t)r;
  }
  eol = strstr((char *)c->buf, "\r\n");
  snprintf(status, status_cap, "%.*s", (int)(eol - (char *)c->buf), (char *)c->buf);
  hdr_len = (size_t)(end + 4 - (char *)c->buf);
  memmove(c->buf, c->buf + hdr_len, c->len - hdr_len);
  c->len -= hdr_len;
  return 0;
}

/* Read one frame. Server frames are never masked. Returns the opcode and
 * the payload (NUL-terminated, truncated to cap-1), or -1. */
static int ws_read_frame(wsconn_t *c, char *payload, size_t cap, size_t *plen) {
  unsigned char h[2], ext[8];
  uint64_t n;
  size_t i;
  if (recv_exact(c, h, 2) != 0)
    return -1;
  if (h[1] & 0x80)
    return -1;
  n = h[1] & 0x7F;
  if (n == 126) {
    if (recv_exact(c, ext, 2) != 0)
      return -1;
    n = ((uint64_t)ext[0] << 8) | ext[1];
  } else if (n == 127) {
    if (recv_exact(c, ext, 8) != 0)
      return -1;
    for (n = 0, i = 0; i < 8; i++)
      n = (n << 8) | ext[i];
  }
  *plen = 0;
  for (i = 0; i < n; i++) {
    unsigned char b;
    if (recv_exact(c, &b, 1) != 0)
      return -1;
    if (i + 1 < cap)
      payload[(*plen)++] = (char)b;
  }
  payload[*plen] = '\0';
  return h[0] & 0x0F;
}

/* The next text frame's payload; -1 on anything else. */
static int ws_read_text(wsconn_t *c, char *out, size_t cap) {
  size_t n;
  int op = ws_read_frame(c, out, cap, &n);
  return op == 0x1 ? 0 : -1;
}

/* Send a masked frame (RFC 6455 §5.3: every client frame is masked). */
static int ws_send(wsconn_t *c, int opcode, const void *payload, size_t n) {
  unsigned char f[14 + 1024];
  const unsigned char *p = payload;
  unsigned char mask[4];
  size_t hl = 2, i;
  if (n > 1024)
    return -1;
  for (i = 0; i < 4; i++)
    mask[i] = (unsigned char)(rand() & 0xFF);
  f[0] = (unsigned char)(0x80 | opcode);
  if (n < 126) {
    f[1] = (unsigned char)(0x80 | n);
  } else {
    f[1] = 0x80 | 126;
    f[2] = (unsigned char)(n >> 8);
    f[3] = (unsigned char)n;
    hl = 4;
  }
  memcpy(f + hl, mask, 4);
  hl += 4;
  for (i = 0; i < n; i++)
    f[hl + i] = p[i] ^ mask[i & 3];
  return send_all(c->fd, f, hl + n);
}

static int ws_send_text(wsconn_t *c, const char *text) { return ws_send(c, 0x1, text, strlen(text)); }

/* Send a text frame and read the reply into out. */
static int exchange(wsconn_t *c, const char *msg, char *out, size_t cap) {
  out[0] = '\0';
  if (ws_send_text(c, msg) != 0)
    return -1;
  return ws_read_text(c, out, cap);
}

static void ws_close_socket(wsconn_t *c) { sock_close(c->fd); }

#endif
