// Command genheader rewrites the version block of the shipped C header from
// the version package's constants, so the number lives in one place.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
)

const (
	begin = "/* BEGIN GENERATED VERSION */\n"
	end   = "/* END GENERATED VERSION */"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genheader path/to/vscpl2drv-websocksrv.h")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genheader:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i := bytes.Index(src, []byte(begin))
	j := bytes.Index(src, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no generated version block", path)
	}
	block := fmt.Sprintf("#define VSCPL2DRV_WS_VERSION_MAJOR %d\n#define VSCPL2DRV_WS_VERSION_MINOR %d\n"+
		"#define VSCPL2DRV_WS_VERSION_RELEASE %d\n#define VSCPL2DRV_WS_VERSION_BUILD %d\n"+
		"#define VSCPL2DRV_WS_VERSION_STR %q\n",
		version.Major, version.Minor, version.Release, version.Build, version.String())
	var out bytes.Buffer
	out.Write(src[:i+len(begin)])
	out.WriteString(block)
	out.Write(src[j:])
	if bytes.Equal(out.Bytes(), src) {
		return nil
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}
