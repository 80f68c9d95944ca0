package config

import (
	"fmt"
	"strings"
	"unicode"
)

// NormalizeURLPath tidies a request path: '/' is prepended when missing and
// trailing '/' removed (except for "/" itself). Whitespace, '?' and '#' are
// errors: matching is on the bare request path.
func NormalizeURLPath(value string) (string, error) {
	p := trimSpace(value)
	if i := strings.IndexFunc(p, func(r rune) bool {
		return unicode.IsSpace(r) || r == '?' || r == '#'
	}); i >= 0 {
		return "", fmt.Errorf("%q must not contain whitespace, '?' or '#'", value)
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if t := strings.TrimRight(p, "/"); t != "" {
		p = t
	} else {
		p = "/"
	}
	return p, nil
}

// endpoint is one websocket/REST endpoint for the shared-path check.
type endpoint struct {
	key     string // url-* key
	enabled bool
	path    *string
}

// urlPaths reads the url-* keys, normalises them and rejects two enabled
// endpoints on one path.
func (o *object) urlPaths(eps []endpoint) {
	owner := map[string]string{}
	for _, ep := range eps {
		if raw, ok := o.str(*ep.path, ep.key); ok {
			p, err := NormalizeURLPath(raw)
			if err != nil {
				o.ld.fail(o.keyPath(ep.key), "%v", err)
				continue
			}
			*ep.path = p
		}
		if !ep.enabled {
			continue
		}
		if other, dup := owner[*ep.path]; dup {
			o.ld.fail(o.keyPath(ep.key), "path %q is also used by %s", *ep.path, other)
			continue
		}
		owner[*ep.path] = ep.key
	}
}
