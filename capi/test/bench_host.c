/*
 * bench_host.c - cost of the C API seen from a C host: loads the library
 * with dlopen as vscpd does and times VSCPWrite (host -> clients, both
 * layouts) and VSCPGetVersion (the bare C -> Go call cost).
 *
 *   bench_host /path/to/libvscpl2drv-websocksrv.so [iterations]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vscpl2drv-websocksrv.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000, i;
  void *lib;
  vscpl2drv_open_fn vopen;
  vscpl2drv_close_fn vclose;
  vscpl2drv_write_fn vwrite;
  vscpl2drv_getversion_fn vversion;
  uint8_t data[3] = {1, 2, 3};
  volatile unsigned long sink = 0;
  double t0;
  int k;
  if (argc < 2) {
    fprintf(stderr, "usage: %s library.so [iterations]\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_LAZY);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  vopen = (vscpl2drv_open_fn)dlsym(lib, "VSCPOpen");
  vclose = (vscpl2drv_close_fn)dlsym(lib, "VSCPClose");
  vwrite = (vscpl2drv_write_fn)dlsym(lib, "VSCPWrite");
  vversion = (vscpl2drv_getversion_fn)dlsym(lib, "VSCPGetVersion");

  t0 = now_ns();
  for (i = 0; i < n; i++)
    sink += vversion();
  printf("VSCPGetVersion        %8.1f ns/op (C -> Go call)\n", (now_ns() - t0) / n);

  for (k = 0; k < 2; k++) {
    const char *abi = k ? "v15.1" : "v15.0";
    char cfg[256];
    long h;
    snprintf(cfg, sizeof cfg,
             "{\"interface\":\"ws://127.0.0.1:0\",\"abi\":\"%s\",\"max-out-queue\":1000000,"
             "\"logging\":{\"console-log-level\":\"error\"}}",
             abi);
    h = vopen(cfg, NULL);
    if (!h)
      return 1;
    t0 = now_ns();
    for (i = 0; i < n; i++) {
      int rc;
      if (k) {
        vscpl2drv_event_v15_1_t e;
        memset(&e, 0, sizeof e);
        e.head = VSCPL2DRV_HEAD_FRAME_UNIX_NS;
        e.year = 0xFFFF;
        e.month = 0xFF;
        e.timestamp_ns = 1709528767000000000ULL;
        e.vscp_class = 10;
        e.vscp_type = 6;
        e.sizeData = 3;
        e.pdata = data;
        rc = vwrite(h, &e, 1000);
      } else {
        vscpl2drv_event_v15_0_t e;
        memset(&e, 0, sizeof e);
        e.vscp_class = 10;
        e.vscp_type = 6;
        e.sizeData = 3;
        e.pdata = data;
        rc = vwrite(h, &e, 1000);
      }
      if (rc != VSCPL2DRV_OK) {
        fprintf(stderr, "VSCPWrite -> %d\n", rc);
        return 1;
      }
    }
    printf("VSCPWrite [%s]      %8.1f ns/op (C host, 3 data bytes)\n", abi, (now_ns() - t0) / n);
    vclose(h);
  }
  return sink == 0;
}
