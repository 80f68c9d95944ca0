// Command capi is built with -buildmode=c-shared into
// libvscpl2drv-websocksrv.so: the VSCP Level II driver C API (docs/c-api.md)
// over the driver package. It only converts C arguments and keeps the handle
// table; all behaviour lives in the Go packages.
package main

func main() {}
