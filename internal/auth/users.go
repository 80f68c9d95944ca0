package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// maxUsersFileSize bounds the users file read into memory; a real file of
// even tens of thousands of users is far smaller.
const maxUsersFileSize = 64 << 20

// Users is the immutable set of loaded users, safe for concurrent use. A nil
// *Users behaves as an empty set.
type Users struct {
	list   []*User
	byName map[string]*User
	dummy  storedPassword // the costliest stored form present, for unknown names
	notes  []string
}

// Len returns the number of users.
func (us *Users) Len() int {
	if us == nil {
		return 0
	}
	return len(us.list)
}

// Lookup returns the user with exactly this name, or nil.
func (us *Users) Lookup(name string) *User {
	if us == nil {
		return nil
	}
	return us.byName[name]
}

// All returns the users in userid order. The slice is a copy; the users are
// shared and read-only.
func (us *Users) All() []*User {
	if us == nil {
		return nil
	}
	return append([]*User(nil), us.list...)
}

// DebugNotes returns the debug-level remarks of the load, such as ignored
// unknown keys.
func (us *Users) DebugNotes() []string {
	if us == nil {
		return nil
	}
	return append([]string(nil), us.notes...)
}

// verifyDummy runs one verification that always fails, costing what a
// verification of the costliest stored form present costs.
func (us *Users) verifyDummy(password string) {
	d := dummyMD5
	if us != nil && us.dummy.kind != 0 {
		d = us.dummy
	}
	d.verify("\x00", password)
}

// LoadUsers loads the users file at path ("" = none) followed by the inline
// users array of the driver configuration (nil = none), as at VSCPOpen. Every
// problem is an error naming the source, the 0-based entry index, the user
// name when known, the key and the offending value (never a password).
// Warnings report a users file readable by group or others and an empty
// result ("nobody can log in").
func LoadUsers(path string, inline json.RawMessage) (*Users, []string, error) {
	l := &usersLoader{users: &Users{byName: map[string]*User{}}, origin: map[string]string{}}
	if path != "" {
		data, warning, err := readUsersFile(path)
		if warning != "" {
			l.warnings = append(l.warnings, warning)
		}
		if err != nil {
			return nil, l.warnings, err
		}
		src := "users file " + path
		entries, err := l.usersDocument(data, src)
		if err != nil {
			return nil, l.warnings, fmt.Errorf("%s: %w", src, err)
		}
		if err := l.addEntries(src, entries); err != nil {
			return nil, l.warnings, err
		}
	}
	if inline != nil {
		const src = `config "users"`
		var entries []json.RawMessage
		if jsonKind(inline) != "array" {
			return nil, l.warnings, fmt.Errorf("%s: %w", src, typeError("array of user objects", inline))
		}
		if err := json.Unmarshal(inline, &entries); err != nil {
			return nil, l.warnings, fmt.Errorf("%s: %w", src, err)
		}
		if err := l.addEntries(src, entries); err != nil {
			return nil, l.warnings, err
		}
	}
	if len(l.users.list) == 0 {
		l.warnings = append(l.warnings, "no users are defined: nobody can log in")
	}
	return l.users, l.warnings, nil
}

type usersLoader struct {
	users    *Users
	origin   map[string]string // name → "users file X user #i", for duplicate errors
	warnings []string
}

func readUsersFile(path string) (data []byte, warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("users file %s: cannot open: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	warning = permissionWarning(f, "users file", path)
	data, err = io.ReadAll(io.LimitReader(f, maxUsersFileSize+1))
	if err != nil {
		return nil, warning, fmt.Errorf("users file %s: cannot read: %w", path, unwrapPathError(err))
	}
	if len(data) > maxUsersFileSize {
		return nil, warning, fmt.Errorf("users file %s: larger than %d bytes", path, maxUsersFileSize)
	}
	return data, warning, nil
}

// usersDocument checks the top level {"users": [...]} and returns the
// entries.
func (l *usersLoader) usersDocument(data []byte, src string) ([]json.RawMessage, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) // editors on Windows add a BOM
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return nil, describeJSONError(data, err)
	}
	if k := jsonKind(data); k != "object" {
		return nil, fmt.Errorf(`top level must be an object with a "users" array, got %s`, k)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, describeJSONError(data, err)
	}
	for key := range top {
		if key != "users" {
			l.users.notes = append(l.users.notes, fmt.Sprintf("%s: unknown top-level key %q ignored", src, key))
		}
	}
	raw, ok := top["users"]
	if !ok {
		return nil, errors.New(`top level has no "users" array`)
	}
	if jsonKind(raw) != "array" {
		return nil, fmt.Errorf("users: %w", typeError("array", raw))
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return entries, nil
}

// describeJSONError adds a line and column to a JSON syntax error.
func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(data)) {
		before := data[:se.Offset]
		line := bytes.Count(before, []byte("\n")) + 1
		col := len(before) - bytes.LastIndexByte(before, '\n')
		return fmt.Errorf("invalid JSON at line %d column %d: %w", line, col-1, err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func (l *usersLoader) addEntries(src string, entries []json.RawMessage) error {
	for i, raw := range entries {
		u, err := l.parseUser(src, i, raw)
		if err != nil {
			return err
		}
		u.ID = len(l.users.list)
		l.users.list = append(l.users.list, u)
		l.users.byName[u.Name] = u
		l.origin[u.Name] = fmt.Sprintf("%s user #%d", src, i)
		if u.password.kind == passwordPBKDF2 {
			l.users.dummy = dummyPBKDF2
		}
	}
	return nil
}

// userKeys lists the known keys; the value is the alias partner, if any.
var userKeys = map[string]string{
	"name": "user", "user": "name",
	"password": "credentials", "credentials": "password",
	"fullname": "full-name", "full-name": "fullname",
	"events": "allow-events", "allow-events": "events",
	"note": "", "filter": "", "mask": "", "rights": "", "remotes": "", "max-priority": "",
}

// entryError builds the uniform error naming the source, the entry index,
// the user name if known and the key.
type entryError struct {
	src   string
	index int
	name  string
}

func (e entryError) wrap(key string, err error) error {
	who := fmt.Sprintf("%s: user #%d", e.src, e.index)
	if e.name != "" {
		who += fmt.Sprintf(" %q", e.name)
	}
	if key == "" {
		return fmt.Errorf("%s: %w", who, err)
	}
	return fmt.Errorf("%s: %s: %w", who, key, err)
}

func (l *usersLoader) parseUser(src string, index int, raw json.RawMessage) (*User, error) {
	ee := entryError{src: src, index: index}
	if jsonKind(raw) != "object" {
		return nil, ee.wrap("", typeError("user object", raw))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, ee.wrap("", err)
	}
	for key := range m {
		if _, known := userKeys[key]; !known {
			l.users.notes = append(l.users.notes, fmt.Sprintf("%s: user #%d: unknown key %q ignored", src, index, key))
		}
	}
	get := func(key string) (string, json.RawMessage, bool, error) {
		alias := userKeys[key]
		v, ok := m[key]
		va, okAlias := m[alias]
		switch {
		case ok && okAlias && alias != "":
			return key, nil, false, fmt.Errorf("both %q and its alias %q are given", key, alias)
		case ok:
			return key, v, true, nil
		case okAlias && alias != "":
			return alias, va, true, nil
		}
		return key, nil, false, nil
	}

	u := &User{MaxPriority: -1, Rights: RightsUser}

	key, v, ok, err := get("name")
	if err != nil {
		return nil, ee.wrap("", err)
	}
	if !ok {
		return nil, ee.wrap("name", errors.New("missing (required)"))
	}
	if u.Name, err = stringValue(v); err != nil {
		return nil, ee.wrap(key, err)
	}
	if u.Name == "" {
		return nil, ee.wrap(key, errors.New("empty"))
	}
	ee.name = u.Name
	if strings.ContainsAny(u.Name, ":;") {
		// Both separate name and password in the AUTH plaintext.
		return nil, ee.wrap(key, errors.New("must not contain ':' or ';'"))
	}
	if prev, dup := l.origin[u.Name]; dup {
		return nil, ee.wrap(key, fmt.Errorf("duplicate name (already defined by %s)", prev))
	}

	key, v, ok, err = get("password")
	if err != nil {
		return nil, ee.wrap("", err)
	}
	if !ok {
		return nil, ee.wrap("password", errors.New("missing (required)"))
	}
	if jsonKind(v) != "string" {
		// No value in this message: it might be a clear-text password.
		return nil, ee.wrap(key, fmt.Errorf("expected string, got %s", jsonKind(v)))
	}
	s, err := stringValue(v)
	if err != nil {
		return nil, ee.wrap(key, errors.New("invalid string"))
	}
	if u.password, err = parseStoredPassword(s); err != nil {
		return nil, ee.wrap(key, err)
	}

	for _, k := range []string{"fullname", "note"} {
		key, v, ok, err = get(k)
		if err != nil {
			return nil, ee.wrap("", err)
		}
		if !ok {
			continue
		}
		s, err := stringValue(v)
		if err != nil {
			return nil, ee.wrap(key, err)
		}
		if k == "note" {
			u.Note = s
		} else {
			u.FullName = s
		}
	}

	var filterText, maskText string
	for _, k := range []string{"filter", "mask"} {
		if v, ok := m[k]; ok {
			s, err := stringValue(v)
			if err != nil {
				return nil, ee.wrap(k, err)
			}
			if k == "filter" {
				filterText = s
			} else {
				maskText = s
			}
		}
	}
	// vscp.ParseFilter names the failing half ("filter: …" / "mask: …").
	if u.Filter, err = vscp.ParseFilter(filterText, maskText); err != nil {
		return nil, ee.wrap("", err)
	}

	if v, ok := m["rights"]; ok {
		if u.Rights, err = ParseRights(v); err != nil {
			return nil, ee.wrap("rights", err)
		}
	}
	if v, ok := m["remotes"]; ok {
		if u.Remotes, err = ParseRemotesJSON(v); err != nil {
			return nil, ee.wrap("remotes", err)
		}
	}
	key, v, ok, err = get("events")
	if err != nil {
		return nil, ee.wrap("", err)
	}
	if ok {
		if u.Events, err = ParseAllowedEventsJSON(v); err != nil {
			return nil, ee.wrap(key, err)
		}
	}
	if v, ok := m["max-priority"]; ok {
		p, err := jsonUint(v, 7)
		if err != nil {
			if k := jsonKind(v); k != "number" {
				err = typeError("integer 0-7", v)
			}
			return nil, ee.wrap("max-priority", err)
		}
		u.MaxPriority = int(p)
	}
	return u, nil
}

// stringValue decodes a JSON string and trims ASCII whitespace; any other
// JSON type, null included, is an error.
func stringValue(raw json.RawMessage) (string, error) {
	if jsonKind(raw) != "string" {
		return "", typeError("string", raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return trimASCII(s), nil
}
