package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
)

// stdin is where passwd and client read a password or command lines when
// no flag gives them; tests replace it.
var stdin io.Reader = os.Stdin

// isTerminal reports whether r is a character device (an interactive
// terminal).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readSecretLine reads one line (without its line ending): from a terminal
// with echo off after a prompt on stderr, else from r.
func readSecretLine(r *bufio.Reader, what string) (string, error) {
	if f, ok := stdin.(*os.File); ok && isTerminal(stdin) {
		fmt.Fprintf(os.Stderr, "%s: ", what)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading the %s from the terminal: %w", what, err)
		}
		return string(b), nil
	}
	line, err := r.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("no %s on stdin", what)
		}
		return "", fmt.Errorf("reading the %s from stdin: %w", what, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runPasswd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "users file to create or update (required)")
	name := fs.String("name", "", "user name (required)")
	fs.StringVar(name, "u", "", "short for --name")
	password := fs.String("password", "", "password (default: asked twice on the terminal without echo, or one line of stdin)")
	rights := fs.String("rights", "", "rights of the user, e.g. \"user\" or \"admin\" (default user for a new user; kept on update)")
	md5 := fs.Bool("md5", false, "store the MD5 form instead of PBKDF2 (weak; for old tools only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passwd: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *file == "" || *name == "" {
		fmt.Fprintln(stderr, "passwd: -f FILE and --name NAME are required")
		return errUsage
	}
	user := strings.TrimSpace(*name)
	if user == "" || strings.ContainsAny(user, ":;") {
		return fmt.Errorf("invalid user name %q: must be non-empty without ':' or ';'", *name)
	}
	var rightsRaw json.RawMessage
	if *rights != "" {
		raw, _ := json.Marshal(*rights)
		if _, err := auth.ParseRights(raw); err != nil {
			return fmt.Errorf("--rights: %w", err)
		}
		rightsRaw = raw
	}
	pass := *password
	if !isFlagSet(fs, "password") {
		in := bufio.NewReader(stdin)
		p, err := readSecretLine(in, "password")
		if err != nil {
			return err
		}
		if isTerminal(stdin) { // typed blind: ask twice
			again, err := readSecretLine(in, "password again")
			if err != nil {
				return err
			}
			if again != p {
				return errors.New("the two passwords differ")
			}
		}
		pass = p
	}
	if pass == "" {
		return errors.New("empty password")
	}
	if strings.TrimSpace(pass) != pass {
		return errors.New("password has leading or trailing whitespace, which AUTH removes: it could never log in")
	}
	var hash string
	if *md5 {
		hash = auth.HashMD5(user, pass)
	} else {
		h, err := auth.NewPBKDF2Hash(user, pass)
		if err != nil {
			return err
		}
		hash = h
	}
	created, err := updateUsersFile(*file, user, hash, rightsRaw)
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "added"
	}
	fmt.Fprintf(stdout, "%s user %q in %s\n", verb, user, *file)
	return nil
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// updateUsersFile creates or updates the entry of user in the users file
// at path, keeping every other entry and every unknown key, and writes the
// file atomically with mode 0600. rights nil keeps the old value (or sets
// "user" for a new entry). It reports whether the entry is new.
func updateUsersFile(path, user, hash string, rights json.RawMessage) (bool, error) {
	doc := map[string]json.RawMessage{}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(bytes.TrimSpace(data)) > 0 {
			if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
				return false, fmt.Errorf("users file %s: top level must be a JSON object", path)
			}
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return false, fmt.Errorf("users file %s: %w", path, err)
	}
	var entries []map[string]json.RawMessage
	if raw, ok := doc["users"]; ok {
		if err := json.Unmarshal(raw, &entries); err != nil {
			return false, fmt.Errorf("users file %s: \"users\" must be an array of objects", path)
		}
	}
	str := func(s string) json.RawMessage {
		b, _ := json.Marshal(s)
		return b
	}
	var entry map[string]json.RawMessage
	for _, e := range entries {
		for _, key := range []string{"name", "user"} {
			var n string
			if json.Unmarshal(e[key], &n) == nil && strings.TrimSpace(n) == user {
				entry = e
			}
		}
	}
	created := entry == nil
	if created {
		entry = map[string]json.RawMessage{"name": str(user)}
		entries = append(entries, entry)
		if rights == nil {
			rights = str("user")
		}
	}
	if _, ok := entry["credentials"]; ok {
		entry["credentials"] = str(hash)
	} else {
		entry["password"] = str(hash)
	}
	if rights != nil {
		entry["rights"] = rights
	}
	if entries == nil {
		entries = []map[string]json.RawMessage{}
	}
	usersRaw, err := json.Marshal(entries)
	if err != nil {
		return false, err
	}
	doc["users"] = usersRaw
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return false, err
	}
	return created, writeFileAtomic(path, buf.Bytes(), 0o600)
}

// writeFileAtomic writes data to a temporary file in the directory of path
// and renames it over path, so readers see the old or the new file whole.
func writeFileAtomic(path string, data []byte, mode os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
