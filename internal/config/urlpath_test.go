package config

import (
	"fmt"
	"testing"
)

func TestURLPathRule(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ws1", "/ws1"},
		{"/ws1", "/ws1"},
		{"/ws1/", "/ws1"},
		{"ws1//", "/ws1"},
		{"/", "/"},
		{"//", "/"},
		{"", "/"},
		{"  /a/b/  ", "/a/b"},
		{"a/b", "/a/b"},
	}
	for _, tt := range tests {
		c := parse(t, fmt.Sprintf(`{"url-ws1": %q}`, tt.in))
		if c.URLWS1 != tt.want {
			t.Errorf("url-ws1 %q → %q, want %q", tt.in, c.URLWS1, tt.want)
		}
	}
}

func TestURLPathRuleErrors(t *testing.T) {
	for _, bad := range []string{"/a b", "/a\tb", "/a?x=1", "/a#frag", "?", "#"} {
		for _, key := range []string{"url-ws1", "url-ws2", "url-rest"} {
			parseFail(t, fmt.Sprintf(`{%q: %q}`, key, bad), key+": ")
		}
	}
}

func TestURLPathSharedByEnabledEndpoints(t *testing.T) {
	parseFail(t, `{"url-ws1": "/same", "url-ws2": "/same"}`, `url-ws2: path "/same" is also used by url-ws1`)
	parseFail(t, `{"url-ws1": "/x", "url-rest": "x/"}`, `url-rest: path "/x" is also used by url-ws1`)
	parseFail(t, `{"url-rest": "/ws2"}`, `url-rest: path "/ws2" is also used by url-ws2`)

	// A disabled endpoint does not claim its path.
	c := parse(t, `{"enable-ws2": false, "url-ws1": "/same", "url-ws2": "/same"}`)
	if c.URLWS1 != "/same" || c.URLWS2 != "/same" {
		t.Errorf("got %q %q", c.URLWS1, c.URLWS2)
	}
	parse(t, `{"enable-rest": false, "url-rest": "/ws1"}`)
	parse(t, `{"enable-ws1": false, "enable-ws2": false, "url-ws1": "/a", "url-ws2": "/a"}`)
}

func TestNormalizeURLPath(t *testing.T) {
	if p, err := NormalizeURLPath(" rest/ "); err != nil || p != "/rest" {
		t.Errorf("got %q %v", p, err)
	}
	if _, err := NormalizeURLPath("/a b"); err == nil {
		t.Error("whitespace accepted")
	}
}
