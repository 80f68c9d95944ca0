/*
 * host_test.c - loads libvscpl2drv-websocksrv.so with dlopen(RTLD_LAZY) and
 * dlsym, exactly as vscpd does, and checks the C API contract of
 * docs/c-api.md for both vscpEvent layouts.
 *
 *   host_test /path/to/libvscpl2drv-websocksrv.so
 *
 * Prints one line per check and "N passed, M failed" at the end; exits
 * non-zero when anything failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vscpl2drv-websocksrv.h"
#include "harness.h"

static vscpl2drv_open_fn p_open;
static vscpl2drv_close_fn p_close;
static vscpl2drv_write_fn p_write;
static vscpl2drv_read_fn p_read;
static vscpl2drv_write_fn p_bsend;
static vscpl2drv_read_fn p_brecv;
static vscpl2drv_getversion_fn p_version;
static vscpl2drv_getvendor_fn p_vendor;


static int count_dir(const char *path) {
  DIR *d = opendir(path);
  int n = 0;
  struct dirent *e;
  if (!d)
    return -1;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1; /* the DIR's own fd, for /proc/self/fd */
}


/* Can a TCP client connect to 127.0.0.1:port? */
static int port_listening(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), ok;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
  close(s);
  return ok;
}

static char cfgbuf[4][512];
/* Inline config on 127.0.0.1:port with the given abi; quiet console. */
static const char *config_for(int slot, int port, const char *abi, const char *extra) {
  snprintf(cfgbuf[slot], sizeof cfgbuf[slot],
           "{\"interface\":\"ws://127.0.0.1:%d\",\"abi\":\"%s\","
           "\"logging\":{\"console-log-level\":\"error\"}%s%s}",
           port, abi, extra ? "," : "", extra ? extra : "");
  return cfgbuf[slot];
}

static const unsigned char ifguid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                                         0, 0, 0, 0, 0, 0, 0xAB, 0xCD};

/* ---- event helpers for both layouts ------------------------------------ */

typedef struct {
  const char *name;
  const char *abi;
  size_t size;
  void (*fill)(void *ev, uint16_t size, uint8_t *pdata);
} layout_t;

static void fill_v15_0(void *p, uint16_t size, uint8_t *pdata) {
  vscpl2drv_event_v15_0_t *e = p;
  memset(e, 0, sizeof *e);
  e->head = 0x60;
  e->vscp_class = 10;
  e->vscp_type = 6;
  e->year = 2024;
  e->month = 3;
  e->day = 4;
  e->sizeData = size;
  e->pdata = pdata;
}

static void fill_v15_1(void *p, uint16_t size, uint8_t *pdata) {
  vscpl2drv_event_v15_1_t *e = p;
  memset(e, 0, sizeof *e);
  e->head = 0x60 | VSCPL2DRV_HEAD_FRAME_UNIX_NS;
  e->year = 0xFFFF;
  e->month = 0xFF;
  e->timestamp_ns = 1709528767000000000ULL;
  e->vscp_class = 10;
  e->vscp_type = 6;
  e->sizeData = size;
  e->pdata = pdata;
}

static const layout_t layouts[] = {
    {"v15.0", "v15.0", sizeof(vscpl2drv_event_v15_0_t), fill_v15_0},
    {"v15.1", "v15.1", sizeof(vscpl2drv_event_v15_1_t), fill_v15_1},
};

/* ---- threads ------------------------------------------------------------ */

typedef struct {
  long h;
  size_t size;
  int rc;
  double ms;
} reader_arg_t;

static void *blocked_reader(void *p) {
  reader_arg_t *a = p;
  unsigned char ev[64];
  double t0;
  memset(ev, 0, sizeof ev);
  t0 = now_ms();
  a->rc = p_read(a->h, ev, 0); /* 0 = wait forever */
  a->ms = now_ms() - t0;
  return NULL;
}

typedef struct {
  long h;
  const layout_t *l;
  volatile int stop;
  int bad_rc;
  long calls;
} writer_arg_t;

static void *racing_writer(void *p) {
  writer_arg_t *a = p;
  unsigned char ev[64];
  uint8_t data[3] = {1, 2, 3};
  while (!a->stop) {
    int rc;
    a->l->fill(ev, 3, data);
    rc = p_write(a->h, ev, 10);
    a->calls++;
    if (rc != VSCPL2DRV_OK && rc != VSCPL2DRV_ERR_STOPPED && rc != VSCPL2DRV_ERR_INVALID_HANDLE &&
        rc != VSCPL2DRV_ERR_FIFO_FULL)
      a->bad_rc = rc;
    if (rc == VSCPL2DRV_ERR_INVALID_HANDLE)
      break;
  }
  return NULL;
}

/* ---- checks ------------------------------------------------------------- */

static void test_symbols(void *lib) {
  struct {
    const char *name;
    void **slot;
  } syms[] = {
      {"VSCPOpen", (void **)&p_open},          {"VSCPClose", (void **)&p_close},
      {"VSCPWrite", (void **)&p_write},        {"VSCPRead", (void **)&p_read},
      {"VSCPBlockingSend", (void **)&p_bsend}, {"VSCPBlockingReceive", (void **)&p_brecv},
      {"VSCPGetVersion", (void **)&p_version}, {"VSCPGetVendorString", (void **)&p_vendor},
  };
  size_t i;
  for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
    *syms[i].slot = dlsym(lib, syms[i].name);
    check(*syms[i].slot != NULL, "symbol %s resolves", syms[i].name);
  }
}

static void test_version_and_vendor(void) {
  const char *v1 = p_vendor(), *v2 = p_vendor();
  check(p_version() == VSCPL2DRV_WS_VERSION, "VSCPGetVersion = 0x%08lX (header 0x%08lX)", p_version(),
        (unsigned long)VSCPL2DRV_WS_VERSION);
  check(p_version() > 0x0F020000UL, "version compares greater than upstream 15.2.0-0");
  check(v1 && strcmp(v1, "vscpl2drv-websocksrv (Go), VSCP Level II websocket server driver, "
                         "https://www.vscp.org") == 0,
        "VSCPGetVendorString text is exact");
  check(v1 == v2, "VSCPGetVendorString returns the same static pointer every call");
}

static void test_bad_open(void) {
  char path[64];
  snprintf(path, sizeof path, "/nonexistent/dir-%d/websocksrv.json", (int)getpid());
  check(p_open(NULL, ifguid) == 0, "open with NULL config returns 0");
  check(p_open("", ifguid) == 0, "open with empty config returns 0");
  check(p_open("   \t\n", ifguid) == 0, "open with blank config returns 0");
  check(p_open(path, ifguid) == 0, "open with a missing config file returns 0");
  check(p_open("{ not json", ifguid) == 0, "open with invalid inline JSON returns 0");
  check(p_open("{\"abi\":\"v16\"}", ifguid) == 0, "open with an invalid abi returns 0");
  check(p_open("{\"max-in-queue\":\"many\"}", ifguid) == 0, "open with a wrongly typed key returns 0");
}

static void test_layout(const layout_t *l) {
  int port = free_port();
  long h = p_open(config_for(0, port, l->abi, NULL), NULL);
  unsigned char ev[64];
  uint8_t data[VSCPL2DRV_MAX_DATA + 1];
  double t0, dt;
  int rc;

  if (l == &layouts[0])
    check(h == VSCPL2DRV_FIRST_HANDLE, "first successful open in the process returns 1681 (failed opens "
                                       "consume no handle), got %ld", h);
  check(h >= VSCPL2DRV_FIRST_HANDLE, "[%s] open with NULL guid returns handle %ld", l->name, h);
  if (h == 0)
    return;
  check(port_listening(port), "[%s] listener is bound when VSCPOpen returns", l->name);

  memset(data, 7, sizeof data);
  l->fill(ev, 3, data);
  check(p_write(h, ev, 500) == VSCPL2DRV_OK, "[%s] write of a valid event returns 0", l->name);
  check(p_bsend(h, ev, 500) == VSCPL2DRV_OK, "[%s] VSCPBlockingSend alias returns 0", l->name);
  l->fill(ev, VSCPL2DRV_MAX_DATA, data);
  check(p_write(h, ev, 500) == VSCPL2DRV_OK, "[%s] write with 512 data bytes returns 0", l->name);
  l->fill(ev, VSCPL2DRV_MAX_DATA + 1, data);
  check(p_write(h, ev, 500) == VSCPL2DRV_ERR_PARAMETER, "[%s] write with sizeData 513 returns 34", l->name);
  l->fill(ev, 4, NULL);
  check(p_write(h, ev, 500) == VSCPL2DRV_ERR_PARAMETER, "[%s] write with data but NULL pdata returns 34",
        l->name);
  l->fill(ev, 0, NULL);
  check(p_write(h, ev, 500) == VSCPL2DRV_OK, "[%s] write without data and NULL pdata returns 0", l->name);
  check(p_write(h, NULL, 500) == VSCPL2DRV_ERR_PARAMETER, "[%s] write with NULL event returns 34", l->name);
  check(p_read(h, NULL, 10) == VSCPL2DRV_ERR_PARAMETER, "[%s] read with NULL event returns 34", l->name);

  t0 = now_ms();
  rc = p_read(h, ev, 200);
  dt = now_ms() - t0;
  check(rc == VSCPL2DRV_ERR_TIMEOUT && dt >= 200.0 && dt < 1200.0,
        "[%s] read timeout 200 ms returns 32 after %.1f ms", l->name, dt);
  t0 = now_ms();
  rc = p_brecv(h, ev, 50);
  dt = now_ms() - t0;
  check(rc == VSCPL2DRV_ERR_TIMEOUT && dt >= 50.0, "[%s] VSCPBlockingReceive alias times out after %.1f ms",
        l->name, dt);

  check(p_close(h) == VSCPL2DRV_OK, "[%s] close returns 0", l->name);
  check(!port_listening(port), "[%s] port released after close", l->name);
  check(p_close(h) == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] double close returns 41", l->name);
  l->fill(ev, 0, NULL);
  check(p_write(h, ev, 10) == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] write on a closed handle returns 41",
        l->name);
  check(p_read(h, ev, 10) == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] read on a closed handle returns 41",
        l->name);
}

static void test_unknown_handles(void) {
  unsigned char ev[64] = {0};
  check(p_close(0) == VSCPL2DRV_ERR_INVALID_HANDLE, "close(0) returns 41");
  check(p_close(-5) == VSCPL2DRV_ERR_INVALID_HANDLE, "close(-5) returns 41");
  check(p_write(123456, ev, 10) == VSCPL2DRV_ERR_INVALID_HANDLE, "write on a never-issued handle returns 41");
  check(p_read(123456, ev, 10) == VSCPL2DRV_ERR_INVALID_HANDLE, "read on a never-issued handle returns 41");
}

static void test_handles_count_up_and_two_instances(void) {
  int port1 = free_port(), port2 = free_port();
  long h1 = p_open(config_for(0, port1, "v15.0", NULL), ifguid);
  long h2 = p_open(config_for(1, port2, "v15.1", NULL), ifguid);
  long h3 = p_open(config_for(2, port1, "v15.0", NULL), ifguid);
  long h4;
  check(h1 > 0 && h2 == h1 + 1, "two instances open at once with consecutive handles (%ld, %ld)", h1, h2);
  check(port_listening(port1) && port_listening(port2), "both instances listen");
  check(h3 == 0, "a second instance on the same port fails to open");
  p_close(h1);
  h4 = p_open(config_for(2, port1, "v15.0", NULL), ifguid);
  check(h4 == h2 + 1, "a handle is never reused: after closing %ld the next open returns %ld", h1, h4);
  p_close(h2);
  p_close(h4);
}

static void test_cycles(void) {
  int port = free_port(), i, ok = 1;
  int fds_before, fds_after, thr_before, thr_after;
  long h;
  /* One warm-up cycle so that one-time runtime set-up is not counted. */
  h = p_open(config_for(0, port, "v15.0", NULL), ifguid);
  p_close(h);
  fds_before = count_dir("/proc/self/fd");
  thr_before = count_dir("/proc/self/task") + 1;
  for (i = 0; i < 200 && ok; i++) {
    h = p_open(config_for(0, port, (i & 1) ? "v15.1" : "v15.0", NULL), ifguid);
    if (h == 0) {
      ok = 0;
      break;
    }
    if (p_close(h) != VSCPL2DRV_OK)
      ok = 0;
  }
  fds_after = count_dir("/proc/self/fd");
  thr_after = count_dir("/proc/self/task") + 1;
  check(ok, "200 open/close cycles on the same port all succeed (port re-bindable at once)");
  check(fds_after <= fds_before, "no fd growth over 200 cycles (before %d, after %d)", fds_before, fds_after);
  check(thr_after <= thr_before + 4, "no thread growth over 200 cycles (before %d, after %d)", thr_before,
        thr_after);
  printf("info cycles: fds before %d after %d, threads before %d after %d\n", fds_before, fds_after,
         thr_before, thr_after);
}

static void test_close_wakes_blocked_read(void) {
  size_t i;
  for (i = 0; i < 2; i++) {
    const layout_t *l = &layouts[i];
    int port = free_port();
    long h = p_open(config_for(0, port, l->abi, NULL), ifguid);
    pthread_t t;
    reader_arg_t a = {h, l->size, -1, 0};
    double t0, close_ms;
    pthread_create(&t, NULL, blocked_reader, &a);
    usleep(100 * 1000);
    t0 = now_ms();
    check(p_close(h) == VSCPL2DRV_OK, "[%s] close while a read is blocked returns 0", l->name);
    close_ms = now_ms() - t0;
    pthread_join(t, NULL);
    check(a.rc == VSCPL2DRV_ERR_STOPPED, "[%s] the blocked read returns 47 (got %d)", l->name, a.rc);
    check(close_ms < 2000.0, "[%s] close took %.1f ms (limit 2000)", l->name, close_ms);
    check(a.ms < 100.0 + close_ms + 200.0, "[%s] blocked read returned promptly (%.1f ms blocked)", l->name,
          a.ms);
  }
}

static void test_write_racing_close(void) {
  size_t i;
  int round;
  for (i = 0; i < 2; i++) {
    const layout_t *l = &layouts[i];
    int all_ok = 1;
    long calls = 0;
    for (round = 0; round < 10; round++) {
      int port = free_port(), k;
      long h = p_open(config_for(0, port, l->abi, "\"max-out-queue\":4"), ifguid);
      pthread_t t[4];
      writer_arg_t a[4];
      for (k = 0; k < 4; k++) {
        a[k].h = h;
        a[k].l = l;
        a[k].stop = 0;
        a[k].bad_rc = 0;
        a[k].calls = 0;
        pthread_create(&t[k], NULL, racing_writer, &a[k]);
      }
      usleep(20 * 1000);
      if (p_close(h) != VSCPL2DRV_OK)
        all_ok = 0;
      for (k = 0; k < 4; k++) {
        a[k].stop = 1;
        pthread_join(t[k], NULL);
        calls += a[k].calls;
        if (a[k].bad_rc)
          all_ok = 0;
      }
    }
    check(all_ok, "[%s] VSCPWrite racing VSCPClose only returns 0, 9, 47 or 41 (%ld calls)", l->name, calls);
  }
}

int main(int argc, char **argv) {
  void *lib;
  size_t i;
  if (argc != 2) {
    fprintf(stderr, "usage: %s path/to/libvscpl2drv-websocksrv.so\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_LAZY);
  check(lib != NULL, "dlopen(%s, RTLD_LAZY)%s%s", argv[1], lib ? "" : ": ", lib ? "" : dlerror());
  if (!lib)
    goto done;
  test_symbols(lib);
  if (failed)
    goto done;
  test_version_and_vendor();
  test_bad_open();
  test_unknown_handles();
  for (i = 0; i < 2; i++)
    test_layout(&layouts[i]);
  test_handles_count_up_and_two_instances();
  test_close_wakes_blocked_read();
  test_write_racing_close();
  test_cycles();
done:
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
