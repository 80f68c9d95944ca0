package ws

import (
	_ "embed"
	"io/fs"
	"net/http"
	"os"
	"path"

	"go.uber.org/zap"
)

//go:embed page/index.html
var builtinPage []byte

// static serves web-root, or the built-in page when web-root is empty
// (docs/configuration.md, web-root): files only, no directory listings,
// nothing outside the root (os.Root refuses ".." and symbolic links that lead
// out).
type static struct {
	root *os.Root // nil: built-in page (or nothing, when the root is unusable)
	page bool
}

func newStatic(o *Options) http.Handler {
	if o.WebRoot == "" {
		return &static{page: true}
	}
	root, err := os.OpenRoot(o.WebRoot)
	if err != nil {
		o.Log.Warn("web-root cannot be opened; static requests get 404", zap.String("web-root", o.WebRoot), zap.Error(err))
		return &static{}
	}
	return &static{root: root}
}

func (st *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed\n")
		return
	}
	if st.page {
		if r.URL.Path != "/" {
			plain(w, http.StatusNotFound, "Not Found\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(builtinPage)
		}
		return
	}
	if st.root == nil {
		plain(w, http.StatusNotFound, "Not Found\n")
		return
	}
	name := path.Clean("/" + r.URL.Path)[1:]
	if name == "" {
		name = "."
	}
	f, info, ok := st.open(name)
	if ok && info.IsDir() {
		f.Close()
		f, info, ok = st.open(path.Join(name, "index.html"))
		if ok && info.IsDir() {
			f.Close()
			ok = false
		}
	}
	if !ok {
		plain(w, http.StatusNotFound, "Not Found\n")
		return
	}
	defer f.Close()
	http.ServeContent(w, r, info.Name(), info.ModTime(), f)
}

func (st *static) open(name string) (*os.File, fs.FileInfo, bool) {
	f, err := st.root.Open(name)
	if err != nil {
		return nil, nil, false
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, false
	}
	return f, info, true
}
