package config

import (
	"strings"
	"testing"
)

// FuzzParse: arbitrary bytes never panic, and a successful parse yields a
// configuration whose invariants hold.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{}`, specExample, relativePathsDoc, `[]`, `{"interface": "ws://[::1]:1"}`,
		`{"rx-filter": "0,1,2,-,3,4,5,-"}`, `{"max-clients": 1e400}`, `{"mqtt": {"publish": [{"topic": "t", "format": 3}]}}`,
		`{"logging": {"file-max-size": 5.24288e6}}`, `{"a": 1, "a": {"b": [1, {"c": null}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz", "/fuzz")
		if err != nil {
			if c != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		if c.MaxInQueue < 1 || c.MaxMessageSize < 4096 || c.Listen.Port < 0 || c.Listen.Port > 65535 {
			t.Fatalf("invariant broken: %+v", c)
		}
		for _, p := range []string{c.URLWS1, c.URLWS2, c.URLREST} {
			if !strings.HasPrefix(p, "/") {
				t.Fatalf("url path %q", p)
			}
		}
	})
}
