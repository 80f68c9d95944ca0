/*
 * ws_host_test.c - loads libvscpl2drv-websocksrv.so with dlopen(RTLD_LAZY)
 * as vscpd does and drives one instance from both sides: the C API on one
 * side, a websocket client written here over a plain TCP socket on the
 * other (RFC 6455 upgrade, masked client frames, ws1 text protocol). It runs
 * once with "abi":"v15.0" and once with "abi":"v15.1".
 *
 *   ws_host_test /path/to/libvscpl2drv-websocksrv.so
 *
 * Prints one line per check and "N passed, M failed" at the end; exits
 * non-zero when anything failed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vscpl2drv-websocksrv.h"
#include "harness.h"
#include "ws_harness.h"

static vscpl2drv_open_fn p_open;
static vscpl2drv_close_fn p_close;
static vscpl2drv_write_fn p_write;
static vscpl2drv_read_fn p_read;

/* ---- the C API side ------------------------------------------------------ */

typedef struct {
  long h;
  int rc;
  double ms;
} closer_arg_t;

static void *closer(void *p) {
  closer_arg_t *a = p;
  double t0 = now_ms();
  a->rc = p_close(a->h);
  a->ms = now_ms() - t0;
  return NULL;
}

/* A host event {class 10, type 6, data 01 02 03}, everything else zero: no
 * date, no timestamp, zero GUID, original frame in v15.1. */
static void plain_event(void *ev, int v151, uint8_t *data) {
  if (v151) {
    vscpl2drv_event_v15_1_t *e = ev;
    memset(e, 0, sizeof *e);
    e->vscp_class = 10;
    e->vscp_type = 6;
    e->sizeData = 3;
    e->pdata = data;
  } else {
    vscpl2drv_event_v15_0_t *e = ev;
    memset(e, 0, sizeof *e);
    e->vscp_class = 10;
    e->vscp_type = 6;
    e->sizeData = 3;
    e->pdata = data;
  }
}

static void run(const char *abi) {
  int v151 = strcmp(abi, "v15.1") == 0;
  int port = free_port(), rc, op;
  long h;
  wsconn_t c;
  char status[256], msg[4096], sid[64], want[512];
  unsigned char ev[64];
  uint8_t data[3] = {1, 2, 3};
  double t0, dt;
  time_t now = time(NULL);
  struct tm utc;
  closer_arg_t ca;
  pthread_t thr;
  size_t n;

  gmtime_r(&now, &utc);
  h = p_open(config_for(port, abi), ifguid);
  check(h >= VSCPL2DRV_FIRST_HANDLE, "[%s] VSCPOpen with encryption none and an inline user returns %ld", abi, h);
  if (h == 0)
    return;

  rc = ws_connect(&c, port, "/ws1", status, sizeof status);
  check(rc == 0 && strncmp(status, "HTTP/1.1 101", 12) == 0, "[%s] upgrade request answered with 101 (got \"%s\")",
        abi, status);
  if (rc != 0) {
    p_close(h);
    return;
  }

  /* Greeting and login. */
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH0;", 8) == 0 && strlen(msg) == 8 + 32,
        "[%s] greeting is +;AUTH0;<32 hex SID> (got \"%s\")", abi, msg);
  snprintf(sid, sizeof sid, "%.32s", strlen(msg) > 8 ? msg + 8 : "");
  /* hex("admin:secret") = 61646D696E3A736563726574 */
  snprintf(want, sizeof want, "C;AUTH;%s;61646D696E3A736563726574", sid);
  rc = exchange(&c, want, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH1;0;admin;", 16) == 0, "[%s] AUTH with the SID as iv: +;AUTH1;0;admin;... (got \"%s\")",
        abi, msg);
  rc = exchange(&c, "C;OPEN", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;OPEN") == 0, "[%s] C;OPEN answered +;OPEN (got \"%s\")", abi, msg);

  /* Client -> host. */
  rc = exchange(&c, "E;0,10,6,0,,0,-,1,2", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;EVENT") == 0, "[%s] client event answered +;EVENT (got \"%s\")", abi, msg);
  memset(ev, 0xEE, sizeof ev);
  rc = p_read(h, ev, 5000);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPRead returns the client event (rc %d)", abi, rc);
  if (rc == VSCPL2DRV_OK && v151) {
    vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
    int64_t secs = (int64_t)(e->timestamp_ns / 1000000000ULL) - (int64_t)now;
    check(e->vscp_class == 10 && e->vscp_type == 6 && e->sizeData == 2 && e->pdata && e->pdata[0] == 1 &&
              e->pdata[1] == 2,
          "[%s] VSCPRead: class %u, type %u, sizeData %u, data 01 02", abi, e->vscp_class, e->vscp_type,
          e->sizeData);
    check((e->head & VSCPL2DRV_HEAD_FRAME_MASK) == VSCPL2DRV_HEAD_FRAME_UNIX_NS && e->year == 0xFFFF &&
              e->month == 0xFF,
          "[%s] VSCPRead: UNIX_NS frame (head 0x%04X, year 0x%04X, month 0x%02X)", abi, e->head, e->year, e->month);
    check(secs > -120 && secs < 120, "[%s] VSCPRead: timestamp_ns is now (%lld s off)", abi, (long long)secs);
    check(memcmp(e->GUID, ifguid, 16) == 0 && e->obid != 0, "[%s] VSCPRead: interface GUID filled in, obid %u", abi,
          e->obid);
    free(e->pdata);
  } else if (rc == VSCPL2DRV_OK) {
    vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
    check(e->vscp_class == 10 && e->vscp_type == 6 && e->sizeData == 2 && e->pdata && e->pdata[0] == 1 &&
              e->pdata[1] == 2,
          "[%s] VSCPRead: class %u, type %u, sizeData %u, data 01 02", abi, e->vscp_class, e->vscp_type,
          e->sizeData);
    check(e->year >= utc.tm_year + 1900 - 1 && e->year <= utc.tm_year + 1900 + 1 && e->month >= 1 &&
              e->month <= 12,
          "[%s] VSCPRead: date set to now (%04u-%02u-%02u)", abi, e->year, e->month, e->day);
    check(memcmp(e->GUID, ifguid, 16) == 0 && e->obid != 0, "[%s] VSCPRead: interface GUID filled in, obid %u", abi,
          e->obid);
    free(e->pdata);
  }
  rc = p_read(h, ev, 200);
  check(rc == VSCPL2DRV_ERR_TIMEOUT, "[%s] exactly one event reached the host (next VSCPRead %d)", abi, rc);

  /* Host -> client. */
  plain_event(ev, v151, data);
  rc = p_write(h, ev, 500);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPWrite returns 0 (rc %d)", abi, rc);
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "E;0,10,6,0,,0," Z16 ",0x01,0x02,0x03") == 0,
        "[%s] the host event arrives with an empty date field (got \"%s\")", abi, msg);

  if (v151) {
    /* vscpd 15.1 writes UNIX_NS frames; 2024-03-04T05:06:07Z. */
    vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
    uint64_t ns = 1709528767000000000ULL;
    plain_event(ev, 1, data);
    e->head = 0x60 | VSCPL2DRV_HEAD_FRAME_UNIX_NS;
    e->year = 0xFFFF;
    e->month = 0xFF;
    e->timestamp_ns = ns;
    e->obid = 5;
    rc = p_write(h, ev, 500);
    snprintf(want, sizeof want, "E;96,10,6,5,2024-03-04T05:06:07Z,%lu," Z16 ",0x01,0x02,0x03",
             (unsigned long)((ns / 1000ULL) % 4294967296ULL));
    check(rc == VSCPL2DRV_OK && ws_read_text(&c, msg, sizeof msg) == 0 && strcmp(msg, want) == 0,
          "[%s] a UNIX_NS host event arrives as \"%s\" (got \"%s\")", abi, want, msg);
  } else {
    vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
    uint8_t d3[3] = {0x11, 0x22, 0x33};
    int i;
    plain_event(ev, 0, d3);
    e->head = 0x60;
    e->obid = 5;
    e->year = 2024;
    e->month = 3;
    e->day = 4;
    e->hour = 5;
    e->minute = 6;
    e->second = 7;
    e->timestamp = 1234;
    for (i = 0; i < 16; i++)
      e->GUID[i] = (uint8_t)i;
    rc = p_write(h, ev, 500);
    snprintf(want, sizeof want, "%s",
             "E;96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33");
    check(rc == VSCPL2DRV_OK && ws_read_text(&c, msg, sizeof msg) == 0 && strcmp(msg, want) == 0,
          "[%s] a dated host event arrives as \"%s\" (got \"%s\")", abi, want, msg);
  }

  /* VSCPClose: the client gets close 1001 "server shutdown" within 2 s. */
  ca.h = h;
  ca.rc = -1;
  ca.ms = 0;
  t0 = now_ms();
  pthread_create(&thr, NULL, closer, &ca);
  do {
    op = ws_read_frame(&c, msg, sizeof msg, &n);
  } while (op == 0x1 || op == 0x9 || op == 0xA);
  dt = now_ms() - t0;
  check(op == 0x8 && n >= 2 && (((unsigned char)msg[0] << 8) | (unsigned char)msg[1]) == 1001,
        "[%s] VSCPClose sends a close frame with code 1001 (opcode %d, code %d)", abi, op,
        n >= 2 ? (((unsigned char)msg[0] << 8) | (unsigned char)msg[1]) : -1);
  check(op == 0x8 && n >= 2 && strcmp(msg + 2, "server shutdown") == 0, "[%s] close reason \"server shutdown\"",
        abi);
  check(dt < 2000.0, "[%s] the close frame arrived %.1f ms after VSCPClose began (limit 2000)", abi, dt);
  if (op == 0x8) {
    unsigned char echo[2] = {0x03, 0xE9}; /* 1001 */
    ws_send(&c, 0x8, echo, 2);
  }
  pthread_join(thr, NULL);
  check(ca.rc == VSCPL2DRV_OK, "[%s] VSCPClose returns 0 (rc %d, %.1f ms)", abi, ca.rc, ca.ms);
  {
    unsigned char b;
    double t1 = now_ms();
    int eof = recv_exact(&c, &b, 1) != 0;
    check(eof && now_ms() - t1 < 4000.0, "[%s] the server closed the TCP connection after the close handshake", abi);
  }
  ws_close_socket(&c);
  rc = p_write(h, ev, 10);
  check(rc == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] VSCPWrite after VSCPClose returns 41 (rc %d)", abi, rc);
}

int main(int argc, char **argv) {
  void *lib;
  if (argc != 2) {
    fprintf(stderr, "usage: %s path/to/libvscpl2drv-websocksrv.so\n", argv[0]);
    return 2;
  }
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  lib = dlopen(argv[1], RTLD_LAZY);
  check(lib != NULL, "dlopen(%s, RTLD_LAZY)%s%s", argv[1], lib ? "" : ": ", lib ? "" : dlerror());
  if (!lib)
    goto done;
  p_open = (vscpl2drv_open_fn)dlsym(lib, "VSCPOpen");
  p_close = (vscpl2drv_close_fn)dlsym(lib, "VSCPClose");
  p_write = (vscpl2drv_write_fn)dlsym(lib, "VSCPWrite");
  p_read = (vscpl2drv_read_fn)dlsym(lib, "VSCPRead");
  check(p_open && p_close && p_write && p_read, "VSCPOpen, VSCPClose, VSCPWrite and VSCPRead resolve");
  if (failed)
    goto done;
  run("v15.0");
  run("v15.1");
done:
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
