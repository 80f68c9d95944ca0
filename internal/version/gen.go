package version

// The C header's version macros are a generated copy of the constants above.
//go:generate go run ./genheader ../../capi/vscpl2drv-websocksrv.h
