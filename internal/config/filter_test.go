package config

import (
	"fmt"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

var (
	class10Filter = vscp.Filter{FilterClass: 10, FilterType: 6, MaskClass: 0xFFFF, MaskType: 0xFFFF}
	allFF         = vscp.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
)

func TestFilterObject(t *testing.T) {
	c := parse(t, `{"filter": {"in-filter": "0,10,6,-", "in-mask": "0,0xFFFF,0xffff,-",
		"out-filter": "7,0,0,FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF", "out-mask": "0b111,0,0,-"}}`)
	if c.InFilter != class10Filter {
		t.Errorf("in-filter = %+v", c.InFilter)
	}
	want := vscp.Filter{FilterPriority: 7, MaskPriority: 7, FilterGUID: allFF}
	if c.OutFilter != want {
		t.Errorf("out-filter = %+v, want %+v", c.OutFilter, want)
	}

	// A half that is absent or empty is all zero.
	c = parse(t, `{"filter": {"in-filter": "0,10,6,-", "out-mask": ""}}`)
	if c.InFilter != (vscp.Filter{FilterClass: 10, FilterType: 6}) || c.OutFilter != (vscp.Filter{}) {
		t.Errorf("got %+v %+v", c.InFilter, c.OutFilter)
	}
}

func TestFilterObjectErrors(t *testing.T) {
	for _, key := range []string{"in-filter", "in-mask", "out-filter", "out-mask"} {
		for _, bad := range []string{"0,10,6,-,5", "0,0x1FFFF,0,-", "x", "0,0,0,GG"} {
			parseFail(t, fmt.Sprintf(`{"filter": {%q: %q}}`, key, bad), "filter."+key+": invalid filter")
		}
	}
}

// TestUpstreamPlaceholderFilterTrap: the upstream 15.2.0 sample has prose
// in the filter object; upstream never read it, here it fails the open.
func TestUpstreamPlaceholderFilterTrap(t *testing.T) {
	doc := `{
		"filter" : {
			"in-filter" : "incoming filter on string form",
			"in-mask" : "incoming mask on string form",
			"out-filter" : "outgoing filter on string form",
			"out-mask" : "outgoing mask on string form"
		}
	}`
	parseFail(t, doc, "filter.in-filter: ", "filter.in-mask: ", "filter.out-filter: ", "filter.out-mask: ")
	parseFail(t, `{"filter": "incoming filter on string form"}`, "filter: expected object, got string")
}

func TestRxFilterForms(t *testing.T) {
	tests := []struct {
		value string
		want  vscp.Filter
		warn  bool
	}{
		{"0,10,6,-;0,0xFFFF,0xFFFF,-", class10Filter, false},
		{" 0,10,6,- ; 0,0xFFFF,0xFFFF,- ", class10Filter, false},
		{"0,10,6,-,0,0xFFFF,0xFFFF,-", class10Filter, false},
		{"0,0,0,-,0,0,0,-", vscp.Filter{}, false},
		{"0,10,6,-", vscp.Filter{FilterClass: 10, FilterType: 6}, true},
		{"0,10", vscp.Filter{FilterClass: 10}, true},
		{"", vscp.Filter{}, false},
		{";", vscp.Filter{}, false},
		{"0,0,0,::;0,0,0,::", vscp.Filter{FilterGUID: allFF, MaskGUID: allFF}, false},
	}
	for _, tt := range tests {
		c := parse(t, fmt.Sprintf(`{"rx-filter": %q}`, tt.value))
		if c.InFilter != tt.want {
			t.Errorf("rx-filter %q = %+v, want %+v", tt.value, c.InFilter, tt.want)
		}
		if got := hasNote(c, zapcore.WarnLevel, "no mask"); got != tt.warn {
			t.Errorf("rx-filter %q: no-mask warning %v, want %v", tt.value, got, tt.warn)
		}
		if c.OutFilter != (vscp.Filter{}) {
			t.Errorf("rx-filter changed the out-filter")
		}
	}
}

func TestRxFilterErrors(t *testing.T) {
	for _, bad := range []string{
		"a;b;c", "0,1,2,-,4", "0,1,2,-,4,5,6", "0,1,2,-,4,5,6,-,8", "0,x,0,-;0,0,0,-",
		"0,0,0,-;0,0,0,GG", "incoming filter on string form",
	} {
		parseFail(t, fmt.Sprintf(`{"rx-filter": %q}`, bad), "rx-filter: ")
	}
}

func TestRxFilterPrecedence(t *testing.T) {
	// filter.in-* wins over rx-filter, with a warning.
	c := parse(t, `{"rx-filter": "0,10,6,-;0,0xFFFF,0xFFFF,-", "filter": {"in-filter": "0,20,0,-"}}`)
	if c.InFilter != (vscp.Filter{FilterClass: 20}) {
		t.Errorf("in-filter = %+v", c.InFilter)
	}
	if !hasNote(c, zapcore.WarnLevel, "rx-filter ignored") {
		t.Errorf("no precedence warning: %+v", c.Notes)
	}
	c = parse(t, `{"rx-filter": "0,10,6,-;0,0xFFFF,0xFFFF,-", "filter": {"in-mask": ""}}`)
	if c.InFilter != (vscp.Filter{}) || !hasNote(c, zapcore.WarnLevel, "rx-filter ignored") {
		t.Errorf("in-mask alone does not take precedence: %+v", c.InFilter)
	}

	// Out-filter keys do not compete with rx-filter.
	c = parse(t, `{"rx-filter": "0,10,6,-;0,0xFFFF,0xFFFF,-", "filter": {"out-filter": "0,1,0,-"}}`)
	if c.InFilter != class10Filter || c.OutFilter != (vscp.Filter{FilterClass: 1}) {
		t.Errorf("got in %+v out %+v", c.InFilter, c.OutFilter)
	}
	if hasNote(c, zapcore.WarnLevel, "rx-filter ignored") {
		t.Error("unexpected precedence warning")
	}

	// An overridden rx-filter is still validated.
	parseFail(t, `{"rx-filter": "garbage", "filter": {"in-filter": "0,20,0,-"}}`, "rx-filter: ")
}

func TestParseRxFilterDirect(t *testing.T) {
	f, warn, err := ParseRxFilter("0,10,6,-")
	if err != nil || warn == "" || f != (vscp.Filter{FilterClass: 10, FilterType: 6}) {
		t.Errorf("got %+v %q %v", f, warn, err)
	}
}
