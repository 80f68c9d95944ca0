package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.uber.org/zap/zapcore"
)

// loader collects the problems and notes of one Parse call, so that a
// document with several mistakes is reported in full at once.
type loader struct {
	dir   string
	errs  []error
	notes []Note
}

// fail records a problem with the value at path.
func (ld *loader) fail(path, format string, args ...any) {
	ld.errs = append(ld.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// note records a line for the caller's logger.
func (ld *loader) note(level zapcore.Level, format string, args ...any) {
	ld.notes = append(ld.notes, Note{Level: level, Msg: fmt.Sprintf(format, args...)})
}

// err returns every recorded problem, one per line, or nil.
func (ld *loader) err() error {
	return errors.Join(ld.errs...)
}

// resolve makes a configured path absolute against the config directory.
// The empty string stays empty: it means "not configured".
func (ld *loader) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(ld.dir, p)
}

// object is one JSON object being read key by key. Keys that no reader asked
// for are reported as unknown by finish.
type object struct {
	ld      *loader
	path    string
	members []member
	used    map[string]bool
}

// newObject decodes raw, which must be a JSON object, for reading at path
// ("" for the top level). A value that is not an object is recorded as a
// type error and yields nil.
func (ld *loader) newObject(path string, raw json.RawMessage) *object {
	if k := kindOf(raw); k != kindObject {
		ld.fail(displayPath(path), "expected object, got %s", k)
		return nil
	}
	members, err := decodeObject(raw)
	if err != nil {
		ld.fail(displayPath(path), "%v", err)
		return nil
	}
	return &object{ld: ld, path: path, members: members, used: map[string]bool{}}
}

// displayPath names the top level in messages about the document itself.
func displayPath(path string) string {
	if path == "" {
		return "config"
	}
	return path
}

// keyPath is the full path of a key of o, as used in messages.
func (o *object) keyPath(name string) string {
	if o.path == "" {
		return name
	}
	return o.path + "." + name
}

// lookup finds the key under any of its spellings (the first is the main
// name, the others aliases) and marks all of them as known. Two spellings
// present at once is an error, reported here; ok is then false.
func (o *object) lookup(names ...string) (name string, raw json.RawMessage, ok bool) {
	var found []member
	for _, n := range names {
		o.used[n] = true
		for _, m := range o.members {
			if m.name == n {
				found = append(found, m)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", nil, false
	case 1:
		return found[0].name, found[0].value, true
	}
	o.ld.fail(o.keyPath(found[0].name), "ambiguous: its alias %q is also present", found[1].name)
	return "", nil, false
}

// has reports whether any spelling of the key is present, without marking it.
func (o *object) has(names ...string) bool {
	for _, n := range names {
		for _, m := range o.members {
			if m.name == n {
				return true
			}
		}
	}
	return false
}

// typed fetches the key and checks its JSON type; a mismatch is recorded.
func (o *object) typed(want kind, names ...string) (name string, raw json.RawMessage, ok bool) {
	name, raw, ok = o.lookup(names...)
	if !ok {
		return "", nil, false
	}
	if k := kindOf(raw); k != want {
		o.ld.fail(o.keyPath(name), "expected %s, got %s", typeWord(want), k)
		return "", nil, false
	}
	return name, raw, true
}

// typeWord names the expected type in error messages ("expected integer").
func typeWord(k kind) string {
	if k == kindNumber {
		return "integer"
	}
	return string(k)
}

// boolean reads a bool key: JSON true or false only.
func (o *object) boolean(def bool, names ...string) bool {
	_, raw, ok := o.typed(kindBool, names...)
	if !ok {
		return def
	}
	return string(raw) == "true"
}

// integer reads an int key: a JSON number with an integral value in
// [min, max].
func (o *object) integer(def, min, max int64, names ...string) int64 {
	name, raw, ok := o.lookup(names...)
	if !ok {
		return def
	}
	v, ok := o.ld.integerValue(o.keyPath(name), raw, min, max)
	if !ok {
		return def
	}
	return v
}

// integerValue checks one raw value as an int in [min, max].
func (ld *loader) integerValue(path string, raw json.RawMessage, min, max int64) (int64, bool) {
	if k := kindOf(raw); k != kindNumber {
		ld.fail(path, "expected integer, got %s", k)
		return 0, false
	}
	v, status := jsonInteger(string(raw))
	switch {
	case status == integerFraction:
		ld.fail(path, "expected integer, got %s", raw)
		return 0, false
	case status == integerTooLarge || v < min || v > max:
		ld.fail(path, "value %s out of range %d..%d", raw, min, max)
		return 0, false
	}
	return v, true
}

// str reads a string key, trimmed of ASCII whitespace. present is false when
// the key is absent or invalid (then def is returned).
func (o *object) str(def string, names ...string) (value string, present bool) {
	name, raw, ok := o.typed(kindString, names...)
	if !ok {
		return def, false
	}
	s, ok := o.ld.stringValue(o.keyPath(name), raw)
	if !ok {
		return def, false
	}
	return s, true
}

// stringValue decodes one raw JSON string and trims it.
func (ld *loader) stringValue(path string, raw json.RawMessage) (string, bool) {
	if k := kindOf(raw); k != kindString {
		ld.fail(path, "expected string, got %s", k)
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		ld.fail(path, "invalid string: %v", err)
		return "", false
	}
	return trimSpace(s), true
}

// pathKey reads a string key holding a file or directory path, resolved
// against the config directory; "" means not configured.
func (o *object) pathKey(names ...string) string {
	s, _ := o.str("", names...)
	return o.ld.resolve(s)
}

// child reads an object-valued key.
func (o *object) child(names ...string) *object {
	name, raw, ok := o.typed(kindObject, names...)
	if !ok {
		return nil
	}
	return o.ld.newObject(o.keyPath(name), raw)
}

// array reads an array-valued key into its raw elements; name is the
// spelling that was present.
func (o *object) array(names ...string) (name string, elems []json.RawMessage, ok bool) {
	name, raw, ok := o.typed(kindArray, names...)
	if !ok {
		return "", nil, false
	}
	elems, err := decodeArray(raw)
	if err != nil {
		o.ld.fail(o.keyPath(name), "%v", err)
		return "", nil, false
	}
	return name, elems, true
}

// finish reports every key that no reader asked for, once, at debug level.
func (o *object) finish() {
	for _, m := range o.members {
		if !o.used[m.name] {
			o.ld.note(zapcore.DebugLevel, "config: unknown key %q ignored", o.keyPath(m.name))
		}
	}
}

// trimSpace removes ASCII whitespace only (SP, HT, LF, CR, FF, VT), not
// Unicode spaces.
func trimSpace(s string) string {
	return strings.Trim(s, " \t\n\r\f\v")
}

// lowerASCII lower-cases ASCII letters only, so that enumerated words match
// exactly (Unicode folding would let "\u212a" stand for "k").
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// word reads an enumerated word: trimmed and lower-cased.
func (o *object) word(def string, names ...string) (value, name string, present bool) {
	name, raw, ok := o.typed(kindString, names...)
	if !ok {
		return def, "", false
	}
	s, ok := o.ld.stringValue(o.keyPath(name), raw)
	if !ok {
		return def, "", false
	}
	return lowerASCII(s), name, true
}
