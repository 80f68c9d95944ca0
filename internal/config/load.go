package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SourceInline is Config.Source for inline JSON.
const SourceInline = "inline"

// Load interprets VSCPOpen's config argument: after trimming ASCII
// whitespace, a leading '{' means inline JSON, whose relative paths resolve
// against the process working directory; anything else is the path of a JSON
// file, whose relative paths resolve against its directory.
func Load(arg string) (*Config, error) {
	arg = trimSpace(arg)
	if arg == "" {
		return nil, errors.New("config: empty configuration argument (want a JSON file path or inline JSON)")
	}
	if arg[0] == '{' {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("config: working directory for inline JSON: %w", err)
		}
		return Parse([]byte(arg), SourceInline, wd)
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, arg, filepath.Dir(abs))
}

// Parse validates a configuration document. source names it in messages
// and in Config.Source; dir is the base of relative paths. All problems are
// returned together, one per line.
func Parse(data []byte, source, dir string) (*Config, error) {
	// A UTF-8 byte order mark is tolerated (RFC 8259 §8.1): editors on
	// Windows write one.
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !json.Valid(data) {
		return nil, fmt.Errorf("config %s: invalid JSON: %w", source, syntaxError(data))
	}
	if k := kindOf(data); k != kindObject {
		return nil, fmt.Errorf("config %s: top level must be a JSON object, got %s", source, k)
	}
	ld := &loader{dir: dir}
	top := ld.newObject("", data)
	if top == nil {
		return nil, ld.err()
	}
	c := &Config{Source: source, Dir: dir}
	top.topLevel(c)
	if err := ld.err(); err != nil {
		return nil, err
	}
	c.Notes = ld.notes
	return c, nil
}

// syntaxError describes why data is not valid JSON, with line and column.
func syntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return errors.New("unexpected data")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, max(se.Offset-1, 0))
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	}
	return err
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
