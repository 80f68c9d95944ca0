package config

import (
	"fmt"
	"strings"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// filterHalf is one parsed half of a filter string.
type filterHalf struct {
	prio       uint8
	class, typ uint16
	guid       vscp.GUID
}

// parseHalf parses one "priority,class,type,GUID" string.
func parseHalf(s string) (filterHalf, error) {
	var h filterHalf
	var err error
	h.prio, h.class, h.typ, h.guid, err = vscp.ParseFilterHalf(s)
	return h, err
}

// combine builds a filter from its two halves.
func combine(f, m filterHalf) vscp.Filter {
	return vscp.Filter{
		FilterPriority: f.prio, FilterClass: f.class, FilterType: f.typ, FilterGUID: f.guid,
		MaskPriority: m.prio, MaskClass: m.class, MaskType: m.typ, MaskGUID: m.guid,
	}
}

// halfKey reads one filter string key of the filter object; absent is all
// zero. present reports the key's presence even when its value is invalid.
func (o *object) halfKey(key string) (h filterHalf, present bool) {
	present = o.has(key)
	s, ok := o.str("", key)
	if !ok {
		return filterHalf{}, present
	}
	h, err := parseHalf(s)
	if err != nil {
		o.ld.fail(o.keyPath(key), "invalid filter %q: %v", s, err)
	}
	return h, present
}

// filters reads the "filter" object and "rx-filter" (docs/configuration.md,
// section 5) into the in- and out-filters.
func (o *object) filters(c *Config) {
	inPresent := false
	if fo := o.child("filter"); fo != nil {
		inF, pf := fo.halfKey("in-filter")
		inM, pm := fo.halfKey("in-mask")
		outF, _ := fo.halfKey("out-filter")
		outM, _ := fo.halfKey("out-mask")
		fo.finish()
		inPresent = pf || pm
		c.InFilter = combine(inF, inM)
		c.OutFilter = combine(outF, outM)
	}

	s, present := o.str("", "rx-filter")
	if !present {
		return
	}
	rx, warn, err := ParseRxFilter(s)
	if err != nil {
		o.ld.fail("rx-filter", "%v", err)
		return
	}
	if inPresent {
		o.ld.note(zapcore.WarnLevel, "rx-filter ignored: filter.in-filter/filter.in-mask take precedence")
		return
	}
	if warn != "" {
		o.ld.note(zapcore.WarnLevel, "rx-filter: %s", warn)
	}
	c.InFilter = rx
}

// ParseRxFilter parses the upstream "rx-filter" key in its three forms:
// "filter;mask", the 8-field comma form "p,c,t,GUID,p,c,t,GUID", and a
// filter of at most 4 fields without a mask. The last form has a zero mask,
// so it passes everything; warning says so.
func ParseRxFilter(s string) (f vscp.Filter, warning string, err error) {
	s = trimSpace(s)
	var filterText, maskText string
	switch fields := strings.Count(s, ",") + 1; {
	case strings.Contains(s, ";"):
		parts := strings.Split(s, ";")
		if len(parts) != 2 {
			return vscp.Filter{}, "", fmt.Errorf("invalid filter %q: more than one ';'", s)
		}
		filterText, maskText = parts[0], parts[1]
	case fields == 8:
		cut := indexNth(s, ',', 4)
		filterText, maskText = s[:cut], s[cut+1:]
	case fields <= 4:
		filterText = s
		if s != "" {
			warning = fmt.Sprintf("%q has no mask: the mask is zero, so every event passes", s)
		}
	default:
		return vscp.Filter{}, "", fmt.Errorf("invalid filter %q: %d comma-separated fields (want \"filter;mask\", 8 fields or a 4-field filter)", s, fields)
	}
	fh, err := parseHalf(filterText)
	if err != nil {
		return vscp.Filter{}, "", fmt.Errorf("invalid filter half %q: %w", trimSpace(filterText), err)
	}
	mh, err := parseHalf(maskText)
	if err != nil {
		return vscp.Filter{}, "", fmt.Errorf("invalid mask half %q: %w", trimSpace(maskText), err)
	}
	return combine(fh, mh), warning, nil
}

// indexNth returns the index of the n-th (1-based) occurrence of c in s.
func indexNth(s string, c byte, n int) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n--
			if n == 0 {
				return i
			}
		}
	}
	return -1
}
