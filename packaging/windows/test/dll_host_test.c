/*
 * dll_host_test.c - the Windows counterpart of capi/test/ws_host_test.c for
 * the package tests: loads vscpl2drv-websocksrv.dll with LoadLibrary and
 * GetProcAddress as a Windows host does, then drives one instance per
 * vscpEvent layout from both sides: the C API, and a websocket client over
 * Winsock (RFC 6455 upgrade, masked client frames, ws1 text protocol).
 * Built with mingw-w64 and run under Wine by packaging/test-packages.sh.
 *
 *   dll_host_test.exe path\to\vscpl2drv-websocksrv.dll
 *
 * Prints one line per check and "N passed, M failed"; exits non-zero when
 * anything failed.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vscpl2drv-websocksrv.h"

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

static vscpl2drv_open_fn p_open;
static vscpl2drv_close_fn p_close;
static vscpl2drv_write_fn p_write;
static vscpl2drv_read_fn p_read;

static const unsigned char ifguid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                                         0, 0, 0, 0, 0, 0, 0xAB, 0xCD};

/* A free loopback port: bind port 0, read it back, release it. */
static int free_port(void) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  int len = sizeof a;
  int port;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0) {
    printf("free_port: winsock error %d\n", WSAGetLastError());
    exit(2);
  }
  port = ntohs(a.sin_port);
  closesocket(s);
  return port;
}

/* Inline config: credentials in clear (encryption none), the MD5 user
 * admin:secret, no pings, quiet console. */
static char cfgbuf[1024];
static const char *config_for(int port, const char *abi) {
  snprintf(cfgbuf, sizeof cfgbuf,
           "{\"interface\":\"ws://127.0.0.1:%d\",\"abi\":\"%s\",\"encryption\":\"none\","
           "\"users\":[{\"name\":\"admin\",\"password\":\"2d1e4f91dae49cd08eaba2293e422273\","
           "\"rights\":\"admin\"}],\"auth-throttle\":false,\"ws-ping-interval\":0,"
           "\"logging\":{\"console-log-level\":\"error\"}}",
           port, abi);
  return cfgbuf;
}

/* ---- a minimal websocket client over Winsock ----------------------------- */

typedef struct {
  SOCKET fd;
  unsigned char buf[8192]; /* received, not consumed yet */
  size_t len;
} wsconn_t;

static int recv_exact(wsconn_t *c, unsigned char *out, size_t n) {
  size_t got = 0;
  if (c->len > 0) {
    got = c->len < n ? c->len : n;
    memcpy(out, c->buf, got);
    memmove(c->buf, c->buf + got, c->len - got);
    c->len -= got;
  }
  while (got < n) {
    int r = recv(c->fd, (char *)out + got, (int)(n - got), 0);
    if (r <= 0)
      return -1;
    got += (size_t)r;
  }
  return 0;
}

static int send_all(SOCKET fd, const void *p, size_t n) {
  const char *b = p;
  while (n > 0) {
    int r = send(fd, b, (int)n, 0);
    if (r <= 0)
      return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

static int ws_connect(wsconn_t *c, int port, char *status, size_t status_cap) {
  struct sockaddr_in a;
  DWORD tmo = 5000;
  char req[512];
  char *end, *eol;
  size_t hdr_len;
  memset(c, 0, sizeof *c);
  status[0] = '\0';
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd == INVALID_SOCKET)
    return -1;
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, (const char *)&tmo, sizeof tmo);
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, (const char *)&tmo, sizeof tmo);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((u_short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
    return -1;
  snprintf(req, sizeof req,
           "GET /ws1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
           port);
  if (send_all(c->fd, req, strlen(req)) != 0)
    return -1;
  for (;;) {
    int r;
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

/* The next frame, which must be text; server frames are never masked. */
static int ws_read_text(wsconn_t *c, char *out, size_t cap) {
  unsigned char h[2], ext[8];
  uint64_t n;
  size_t i, k = 0;
  if (recv_exact(c, h, 2) != 0 || (h[1] & 0x80))
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
  for (i = 0; i < n; i++) {
    unsigned char b;
    if (recv_exact(c, &b, 1) != 0)
      return -1;
    if (k + 1 < cap)
      out[k++] = (char)b;
  }
  out[k] = '\0';
  return (h[0] & 0x0F) == 0x1 ? 0 : -1;
}

/* A masked text frame (RFC 6455 §5.3). */
static int ws_send_text(wsconn_t *c, const char *text) {
  unsigned char f[8 + 120];
  size_t n = strlen(text), i;
  unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (n >= 120)
    return -1;
  f[0] = 0x81;
  f[1] = (unsigned char)(0x80 | n);
  memcpy(f + 2, mask, 4);
  for (i = 0; i < n; i++)
    f[6 + i] = (unsigned char)text[i] ^ mask[i & 3];
  return send_all(c->fd, f, 6 + n);
}

static int exchange(wsconn_t *c, const char *msg, char *out, size_t cap) {
  out[0] = '\0';
  if (ws_send_text(c, msg) != 0)
    return -1;
  return ws_read_text(c, out, cap);
}

/* ---- the C API side ------------------------------------------------------ */

typedef struct {
  long h;
  int rc;
  unsigned char ev[64];
} reader_arg_t;

static DWORD WINAPI blocked_reader(LPVOID p) {
  reader_arg_t *a = p;
  a->rc = p_read(a->h, a->ev, 30000);
  return 0;
}

#define Z16 "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"

static void run(const char *abi) {
  int v151 = strcmp(abi, "v15.1") == 0;
  int port = free_port(), rc;
  long h;
  wsconn_t c;
  char status[256], msg[4096], sid[64], cmd[512];
  unsigned char ev[64];
  uint8_t data[3] = {1, 2, 3};
  uint16_t cls = 0, typ = 0, size = 0;
  uint8_t *pdata = NULL;
  const uint8_t *guid = NULL;
  reader_arg_t ra;
  HANDLE thr;
  DWORD t0, waited;

  h = p_open(config_for(port, abi), ifguid);
  check(h >= VSCPL2DRV_FIRST_HANDLE, "[%s] VSCPOpen returns handle %ld", abi, h);
  if (h == 0)
    return;
  rc = p_write(h, NULL, 0);
  check(rc == VSCPL2DRV_ERR_PARAMETER, "[%s] VSCPWrite with a NULL event returns 34 (rc %d)", abi, rc);

  rc = ws_connect(&c, port, status, sizeof status);
  check(rc == 0 && strncmp(status, "HTTP/1.1 101", 12) == 0, "[%s] websocket upgrade answered 101 (got \"%s\")", abi,
        status);
  if (rc != 0) {
    p_close(h);
    return;
  }
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH0;", 8) == 0 && strlen(msg) == 8 + 32,
        "[%s] greeting is +;AUTH0;<32 hex SID> (got \"%s\")", abi, msg);
  snprintf(sid, sizeof sid, "%.32s", strlen(msg) > 8 ? msg + 8 : "");
  /* hex("admin:secret") */
  snprintf(cmd, sizeof cmd, "C;AUTH;%s;61646D696E3A736563726574", sid);
  rc = exchange(&c, cmd, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH1;0;admin;", 16) == 0, "[%s] AUTH accepted (got \"%s\")", abi, msg);
  rc = exchange(&c, "C;OPEN", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;OPEN") == 0, "[%s] C;OPEN answered +;OPEN (got \"%s\")", abi, msg);

  /* Client -> host; the host frees pdata with free() (both sides use msvcrt). */
  rc = exchange(&c, "E;0,10,6,0,,0,-,1,2", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;EVENT") == 0, "[%s] client event answered +;EVENT (got \"%s\")", abi, msg);
  memset(ev, 0xEE, sizeof ev);
  rc = p_read(h, ev, 5000);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPRead returns the client event (rc %d)", abi, rc);
  if (rc == VSCPL2DRV_OK) {
    if (v151) {
      vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
      cls = e->vscp_class, typ = e->vscp_type, size = e->sizeData, pdata = e->pdata, guid = e->GUID;
      check((e->head & VSCPL2DRV_HEAD_FRAME_MASK) == VSCPL2DRV_HEAD_FRAME_UNIX_NS && e->year == 0xFFFF,
            "[%s] VSCPRead: UNIX_NS frame (head 0x%04X, year 0x%04X)", abi, e->head, e->year);
    } else {
      vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
      cls = e->vscp_class, typ = e->vscp_type, size = e->sizeData, pdata = e->pdata, guid = e->GUID;
      check(e->year >= 2020 && e->month >= 1 && e->month <= 12, "[%s] VSCPRead: date set (%04u-%02u-%02u)", abi,
            e->year, e->month, e->day);
    }
    check(cls == 10 && typ == 6 && size == 2 && pdata && pdata[0] == 1 && pdata[1] == 2,
          "[%s] VSCPRead: class %u, type %u, sizeData %u, data 01 02", abi, cls, typ, size);
    check(memcmp(guid, ifguid, 16) == 0, "[%s] VSCPRead: interface GUID filled in", abi);
    free(pdata);
  }
  rc = p_read(h, ev, 200);
  check(rc == VSCPL2DRV_ERR_TIMEOUT, "[%s] then VSCPRead times out with 32 (rc %d)", abi, rc);

  /* Host -> client. */
  memset(ev, 0, sizeof ev);
  if (v151) {
    vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
    e->vscp_class = 10, e->vscp_type = 6, e->sizeData = 3, e->pdata = data;
  } else {
    vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
    e->vscp_class = 10, e->vscp_type = 6, e->sizeData = 3, e->pdata = data;
  }
  rc = p_write(h, ev, 500);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPWrite returns 0 (rc %d)", abi, rc);
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "E;0,10,6,0,,0," Z16 ",0x01,0x02,0x03") == 0,
        "[%s] the host event reaches the client (got \"%s\")", abi, msg);

  /* Close wakes a blocked VSCPRead with 47. */
  memset(&ra, 0, sizeof ra);
  ra.h = h;
  ra.rc = -1;
  thr = CreateThread(NULL, 0, blocked_reader, &ra, 0, NULL);
  Sleep(200);
  t0 = GetTickCount();
  rc = p_close(h);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPClose returns 0 (rc %d)", abi, rc);
  waited = WaitForSingleObject(thr, 5000);
  check(waited == WAIT_OBJECT_0 && ra.rc == VSCPL2DRV_ERR_STOPPED,
        "[%s] a blocked VSCPRead returns 47 when the instance closes (rc %d, %lu ms)", abi, ra.rc,
        (unsigned long)(GetTickCount() - t0));
  CloseHandle(thr);
  rc = p_read(h, ev, 0);
  check(rc == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] VSCPRead after close returns 41 (rc %d)", abi, rc);
  closesocket(c.fd);
}

int main(int argc, char **argv) {
  static const char *names[] = {"VSCPOpen",       "VSCPClose",        "VSCPWrite",
                                "VSCPRead",       "VSCPBlockingSend", "VSCPBlockingReceive",
                                "VSCPGetVersion", "VSCPGetVendorString"};
  HMODULE lib;
  WSADATA wsa;
  FARPROC fn[8];
  int i, all = 1;
  unsigned long ver;
  const char *vendor;
  long h;

  if (argc != 2) {
    fprintf(stderr, "usage: %s path\\to\\vscpl2drv-websocksrv.dll\n", argv[0]);
    return 2;
  }
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
    fprintf(stderr, "WSAStartup failed\n");
    return 2;
  }
  lib = LoadLibraryA(argv[1]);
  check(lib != NULL, "LoadLibrary(%s) (error %lu)", argv[1], lib ? 0UL : (unsigned long)GetLastError());
  if (!lib)
    goto done;
  for (i = 0; i < 8; i++) {
    fn[i] = GetProcAddress(lib, names[i]);
    if (!fn[i]) {
      all = 0;
      printf("     GetProcAddress(%s) failed\n", names[i]);
    }
  }
  check(all, "GetProcAddress finds all eight exports");
  if (!all)
    goto done;
  p_open = (vscpl2drv_open_fn)(void (*)(void))fn[0];
  p_close = (vscpl2drv_close_fn)(void (*)(void))fn[1];
  p_write = (vscpl2drv_write_fn)(void (*)(void))fn[2];
  p_read = (vscpl2drv_read_fn)(void (*)(void))fn[3];

  ver = ((vscpl2drv_getversion_fn)(void (*)(void))fn[6])();
  check(ver == VSCPL2DRV_WS_VERSION, "VSCPGetVersion is 0x%08lX (header 0x%08lX)", ver,
        (unsigned long)VSCPL2DRV_WS_VERSION);
  vendor = ((vscpl2drv_getvendor_fn)(void (*)(void))fn[7])();
  check(vendor && strncmp(vendor, "vscpl2drv-websocksrv", 20) == 0, "VSCPGetVendorString: \"%s\"",
        vendor ? vendor : "(null)");

  h = p_open("{\"interface\":\"ws://127.0.0.1:1\",\"no-such-key\":", ifguid);
  check(h == 0, "VSCPOpen with broken inline JSON returns 0 (got %ld)", h);
  check(p_close(12345) == VSCPL2DRV_ERR_INVALID_HANDLE, "VSCPClose of a handle never issued returns 41");

  run("v15.0");
  run("v15.1");

done:
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  /* The Go runtime cannot be unloaded: no FreeLibrary, exit directly. */
  return failed == 0 && passed > 0 ? 0 : 1;
}
