package config

import (
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

// testDir is the directory relative paths resolve against in tests.
const testDir = "/etc/vscp"

// parse parses doc and fails the test on error.
func parse(t *testing.T, doc string) *Config {
	t.Helper()
	c, err := Parse([]byte(doc), "test.json", testDir)
	if err != nil {
		t.Fatalf("Parse(%s): unexpected error:\n%v", doc, err)
	}
	return c
}

// parseFail parses doc, expects an error and checks that every want
// fragment occurs in it.
func parseFail(t *testing.T, doc string, want ...string) error {
	t.Helper()
	c, err := Parse([]byte(doc), "test.json", testDir)
	if err == nil {
		t.Fatalf("Parse(%s) = %+v, want an error containing %q", doc, c, want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Parse(%s) error:\n%v\nwant it to contain %q", doc, err, w)
		}
	}
	return err
}

// hasNote reports whether c has a note at lvl containing frag.
func hasNote(c *Config, lvl zapcore.Level, frag string) bool {
	for _, n := range c.Notes {
		if n.Level == lvl && strings.Contains(n.Msg, frag) {
			return true
		}
	}
	return false
}

// noteCount counts the notes containing frag at any level.
func noteCount(c *Config, frag string) int {
	n := 0
	for _, note := range c.Notes {
		if strings.Contains(note.Msg, frag) {
			n++
		}
	}
	return n
}
