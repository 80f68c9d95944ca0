package auth

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// sampleUsersMD5 is the sample configs/users-md5.json.
const sampleUsersMD5 = `{
  "users": [
    {
      "name": "admin",
      "password": "2d1e4f91dae49cd08eaba2293e422273",
      "fullname": "Sample administrator",
      "rights": "admin",
      "remotes": ["+127.0.0.0/8", "+::1", "+192.168.0.0/16"],
      "events": "",
      "filter": "",
      "mask": "",
      "note": "username 'admin' password 'secret'"
    },
    {
      "name": "user",
      "password": "8c3088f1b27432344f14d82033749797",
      "fullname": "Sample user",
      "rights": "user",
      "remotes": "",
      "events": "",
      "filter": "",
      "mask": "",
      "note": "username 'user' password 'secret'"
    }
  ]
}`

// sampleUsersPBKDF2 is the sample configs/users.json: identical except for
// the passwords.
var sampleUsersPBKDF2 = strings.NewReplacer(
	"2d1e4f91dae49cd08eaba2293e422273", "000102030405060708090A0B0C0D0E0F;75F08B5A948D941FD93C5356A6282D618A750A53715B617BEA2FFF799DDEC52B",
	"8c3088f1b27432344f14d82033749797", "F0E1D2C3B4A5968778695A4B3C2D1E0F;74854A765C0CCB3BD15DDE37C4AB6E138EB55F3AD8429F088B4E5FD26B16978F",
).Replace(sampleUsersMD5)

// upstreamInstalledSample has the shapes of upstream 15.2.0's installed
// PBKDF2 users file, which must load unchanged: tab indentation, padded
// strings, "rights": ["user",""], an IPv6 remote and an events array.
const upstreamInstalledSample = "{\n\t\"users\" : [\n" +
	"\t\t{\n\t\t\t\"name\" : \"admin\",\n" +
	"\t\t\t\"password\" : \"487636FDE3637C7C853AAC9EAF6FA062;357C71CA59F760C08C4125C444A22A91FD1FE1FB0E5628771A572BAF6F61B71F\",\n" +
	"\t\t\t\"fullname\" : \"Miss. Super User\",\n\t\t\t\"rights\" : \"admin\",\n" +
	"\t\t\t\"remotes\" : [\n\t\t\t\t\"+127.0.0.0/24\",\n\t\t\t\t\"+192.168.0.0/16\"                \n\t\t\t],\n" +
	"\t\t\t\"events\" : \"\",\n\t\t\t\"filter\" : \"\",\n\t\t\t\"mask\" : \"\",\n" +
	"\t\t\t\"note\" : \"A normal user. username='admin' password='secret'\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\" : \"user\",\n" +
	"\t\t\t\"password\" : \"0839DD1BE692164847B601E6520CE23B;3E1B4D950F04EA3BFA2C43160B9D98ECC76B249F79A1062F041C526978591BA3\",\n" +
	"\t\t\t\"fullname\" : \"Mr. Sample User\",\n\t\t\t\"rights\" : [\"user\",\"\"],\n" +
	"\t\t\t\"remotes\" : [\"+127.0.0.1\",\"+fe80::/64\"],\n" +
	"\t\t\t\"events\" : [\"10:*\",\"30:9\"],\n\t\t\t\"filter\" : \"\",\n\t\t\t\"mask\" : \"\",\t\t\t\t\t\t\n" +
	"\t\t\t\"note\" : \"A normal user. username='user' password='secret'\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\" : \"special1\",\n" +
	"\t\t\t\"password\" : \"7B79EF5A2532F9B46DFEC501BAD16C35;100943D7C2C1C9AE99AE4F2287241DA7EAC3969EDDED50AFF3FB4EAD33C1BAD9\",\n" +
	"\t\t\t\"fullname\" : \"Special user\",\n\t\t\t\"rights\" : [\"user\",\"\"],\n" +
	"\t\t\t\"remotes\" : [\"+127.0.0.1\",\"+fe80::/64\"],\n" +
	"\t\t\t\"events\" : [\"10:*\",\"30:9\"],\n\t\t\t\"max-priority\" : 3,\n" +
	"\t\t\t\"note\" : \"\"\n\t\t}\n  ]\n}\n"

const md5Admin = "2d1e4f91dae49cd08eaba2293e422273"

func writeUsersFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSampleUsersFiles(t *testing.T) {
	for _, c := range []struct{ name, content string }{
		{"users-md5.json", sampleUsersMD5},
		{"users.json (PBKDF2)", sampleUsersPBKDF2},
	} {
		t.Run(c.name, func(t *testing.T) {
			us, warnings, err := LoadUsers(writeUsersFile(t, c.content, 0o600), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 0 {
				t.Fatalf("warnings: %q", warnings)
			}
			if us.Len() != 2 {
				t.Fatalf("Len = %d", us.Len())
			}
			admin, user := us.Lookup("admin"), us.Lookup("user")
			if admin == nil || user == nil || admin.ID != 0 || user.ID != 1 {
				t.Fatalf("admin %+v user %+v", admin, user)
			}
			if admin.Rights != RightsAdmin || user.Rights != RightsUser {
				t.Fatalf("rights %s %s", admin.Rights, user.Rights)
			}
			if admin.FullName != "Sample administrator" || user.Note != "username 'user' password 'secret'" {
				t.Fatalf("texts %q %q", admin.FullName, user.Note)
			}
			if admin.MaxPriority != -1 || !admin.Events.Empty() || !user.Remotes.Empty() {
				t.Fatal("defaults")
			}
			for peer, want := range map[string]bool{"127.0.0.1": true, "::1": true, "192.168.3.4": true, "10.0.0.1": false} {
				if admin.Remotes.Allow(netip.MustParseAddr(peer)) != want {
					t.Errorf("admin from %s: want %v", peer, want)
				}
			}
			if !user.Remotes.Allow(netip.MustParseAddr("8.8.8.8")) {
				t.Error("user must log in from anywhere")
			}
			if !admin.password.verify("admin", "secret") || !user.password.verify("user", "secret") {
				t.Fatal("sample passwords do not verify")
			}
		})
	}
}

func TestLoadUpstreamInstalledSample(t *testing.T) {
	us, _, err := LoadUsers(writeUsersFile(t, upstreamInstalledSample, 0o600), nil)
	if err != nil {
		t.Fatal(err)
	}
	if us.Len() != 3 {
		t.Fatalf("Len = %d", us.Len())
	}
	admin, user, special := us.Lookup("admin"), us.Lookup("user"), us.Lookup("special1")
	if admin.Remotes.String() != "+127.0.0.0/24,+192.168.0.0/16" {
		t.Fatalf("admin remotes %q", admin.Remotes.String())
	}
	if user.Rights != RightsUser || user.Remotes.String() != "+127.0.0.1,+fe80::/64" || user.Events.String() != "000A:*,001E:0009" {
		t.Fatalf("user %s %q %q", user.Rights, user.Remotes.String(), user.Events.String())
	}
	if !user.Remotes.Allow(netip.MustParseAddr("fe80::1%eth0")) || user.Remotes.Allow(netip.MustParseAddr("8.8.8.8")) {
		t.Fatal("user remotes")
	}
	if special.MaxPriority != 3 || special.ID != 2 {
		t.Fatalf("special1 %+v", special)
	}
	// The installed sample's PBKDF2 entries verify (upstream could not).
	for _, u := range []*User{admin, user, special} {
		if !u.password.verify(u.Name, "secret") {
			t.Fatalf("%s/secret does not verify", u.Name)
		}
	}
}

func TestLoadUsersIDsAndSources(t *testing.T) {
	file := writeUsersFile(t, `{"users":[{"name":"f0","password":"`+md5Admin+`"},{"name":"f1","password":"`+md5Admin+`"}]}`, 0o600)
	inline := json.RawMessage(`[{"user":"i0","credentials":"` + md5Admin + `"},{"name":"i1","password":"` + md5Admin + `"}]`)
	us, warnings, err := LoadUsers(file, inline)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("%v %q", err, warnings)
	}
	for i, name := range []string{"f0", "f1", "i0", "i1"} {
		u := us.Lookup(name)
		if u == nil || u.ID != i || us.All()[i] != u {
			t.Fatalf("user %s: %+v, want id %d", name, u, i)
		}
	}
	if us.Lookup("F0") != nil || us.Lookup(" f0") != nil {
		t.Fatal("names are case-sensitive and exact")
	}

	inlineOnly, _, err := LoadUsers("", inline)
	if err != nil || inlineOnly.Lookup("i0").ID != 0 {
		t.Fatalf("inline only: %v", err)
	}
}

func TestLoadUsersWarnings(t *testing.T) {
	t.Run("no users at all", func(t *testing.T) {
		us, warnings, err := LoadUsers("", nil)
		if err != nil || us.Len() != 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "nobody can log in") {
			t.Fatalf("%v %q", err, warnings)
		}
	})
	t.Run("empty file array", func(t *testing.T) {
		_, warnings, err := LoadUsers(writeUsersFile(t, `{"users":[]}`, 0o600), json.RawMessage(`[]`))
		if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "nobody can log in") {
			t.Fatalf("%v %q", err, warnings)
		}
	})
	t.Run("group or world readable", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix modes")
		}
		for _, mode := range []os.FileMode{0o640, 0o604} {
			_, warnings, err := LoadUsers(writeUsersFile(t, sampleUsersMD5, mode), nil)
			if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "readable by group or others") {
				t.Fatalf("mode %o: %v %q", mode, err, warnings)
			}
		}
	})
	t.Run("unknown keys are debug notes", func(t *testing.T) {
		us, warnings, err := LoadUsers(writeUsersFile(t, `{"version":1,"users":[{"name":"a","password":"`+md5Admin+`","colour":"red"}]}`, 0o600), nil)
		if err != nil || len(warnings) != 0 {
			t.Fatalf("%v %q", err, warnings)
		}
		notes := strings.Join(us.DebugNotes(), "\n")
		if !strings.Contains(notes, `"version"`) || !strings.Contains(notes, `"colour"`) {
			t.Fatalf("notes %q", notes)
		}
	})
}

func TestLoadUsersAccepted(t *testing.T) {
	cases := []struct {
		name  string
		entry string
		check func(*User) bool
	}{
		{"name trimmed", `{"name":"  bob ","password":"` + md5Admin + `"}`, func(u *User) bool { return u.Name == "bob" }},
		{"full-name alias", `{"name":"bob","password":"` + md5Admin + `","full-name":"Bob B"}`, func(u *User) bool { return u.FullName == "Bob B" }},
		{"allow-events alias", `{"name":"bob","password":"` + md5Admin + `","allow-events":"1:2"}`, func(u *User) bool { return u.Events.String() == "0001:0002" }},
		{"upper-case md5", `{"name":"bob","password":"` + strings.ToUpper(md5Admin) + `"}`, func(u *User) bool { return u.password.kind == passwordMD5 }},
		{"rights integer", `{"name":"bob","password":"` + md5Admin + `","rights":2}`, func(u *User) bool { return u.Rights == RightWS }},
		{"rights empty", `{"name":"bob","password":"` + md5Admin + `","rights":""}`, func(u *User) bool { return u.Rights == 0 }},
		{"max-priority 0", `{"name":"bob","password":"` + md5Admin + `","max-priority":0}`, func(u *User) bool { return u.MaxPriority == 0 }},
		{"max-priority 7", `{"name":"bob","password":"` + md5Admin + `","max-priority":7}`, func(u *User) bool { return u.MaxPriority == 7 }},
		{"max-priority 7.0", `{"name":"bob","password":"` + md5Admin + `","max-priority":7.0}`, func(u *User) bool { return u.MaxPriority == 7 }},
		{"filter and mask", `{"name":"bob","password":"` + md5Admin + `","filter":"0,10","mask":"0,0xffff"}`, func(u *User) bool {
			return u.Filter.FilterClass == 10 && u.Filter.MaskClass == 0xFFFF
		}},
		{"duplicate JSON key: last wins", `{"name":"x","name":"bob","password":"` + md5Admin + `"}`, func(u *User) bool { return u.Name == "bob" }},
		{"unicode name", `{"name":"Jürgen","password":"` + md5Admin + `"}`, func(u *User) bool { return u.Name == "Jürgen" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			us, _, err := LoadUsers("", json.RawMessage("["+c.entry+"]"))
			if err != nil {
				t.Fatal(err)
			}
			if u := us.All()[0]; !c.check(u) {
				t.Fatalf("unexpected user %+v", u)
			}
		})
	}
}

// TestLoadUsersErrors covers every load error rule of the users file; each
// error must name the source, the entry index, the user (when known) and the
// key.
func TestLoadUsersErrors(t *testing.T) {
	pw := `"password":"` + md5Admin + `"`
	cases := []struct {
		name  string
		entry string
		want  []string // substrings of the error
	}{
		{"entry not an object", `"bob"`, []string{"user #1:", "expected user object"}},
		{"entry null", `null`, []string{"user #1:", "got null"}},
		{"name missing", `{` + pw + `}`, []string{"user #1: name: missing"}},
		{"name empty", `{"name":"  ",` + pw + `}`, []string{"user #1: name: empty"}},
		{"name null", `{"name":null,` + pw + `}`, []string{"user #1: name: expected string, got null"}},
		{"name number", `{"name":5,` + pw + `}`, []string{"name: expected string, got number 5"}},
		{"name with colon", `{"name":"a:b",` + pw + `}`, []string{`user #1 "a:b": name:`, "':'"}},
		{"name with semicolon", `{"name":"a;b",` + pw + `}`, []string{`"a;b"`, "';'"}},
		{"name and user both", `{"name":"bob","user":"bob",` + pw + `}`, []string{"user #1:", `both "name" and its alias "user"`}},
		{"duplicate name", `{"name":"first",` + pw + `}`, []string{`user #1 "first": name: duplicate`, "user #0"}},
		{"password missing", `{"name":"bob"}`, []string{`user #1 "bob": password: missing`}},
		{"password null", `{"name":"bob","password":null}`, []string{`"bob": password: expected string, got null`}},
		{"password number", `{"name":"bob","password":123456}`, []string{`"bob": password: expected string, got number`}},
		{"password plain text", `{"name":"bob","password":"secret"}`, []string{`"bob": password: unsupported password format`}},
		{"password and credentials both", `{"name":"bob",` + pw + `,"credentials":"x"}`, []string{`"bob":`, `both "password" and its alias "credentials"`}},
		{"credentials plain text", `{"name":"bob","credentials":"secret"}`, []string{`"bob": credentials: unsupported password format`}},
		{"fullname null", `{"name":"bob",` + pw + `,"fullname":null}`, []string{`"bob": fullname: expected string, got null`}},
		{"fullname and full-name both", `{"name":"bob",` + pw + `,"fullname":"a","full-name":"b"}`, []string{`both "fullname" and its alias "full-name"`}},
		{"full-name array", `{"name":"bob",` + pw + `,"full-name":["a"]}`, []string{`"bob": full-name: expected string, got array`}},
		{"note number", `{"name":"bob",` + pw + `,"note":1}`, []string{`"bob": note: expected string`}},
		{"filter null", `{"name":"bob",` + pw + `,"filter":null}`, []string{`"bob": filter: expected string, got null`}},
		{"filter bad", `{"name":"bob",` + pw + `,"filter":"0,0x1FFFF,0,-"}`, []string{`"bob": filter:`}},
		{"mask bad", `{"name":"bob",` + pw + `,"mask":"0,10,6,-,5"}`, []string{`"bob": mask:`}},
		{"mask object", `{"name":"bob",` + pw + `,"mask":{}}`, []string{`"bob": mask: expected string, got object`}},
		{"rights unknown word", `{"name":"bob",` + pw + `,"rights":"user/bogus"}`, []string{`user #1 "bob": rights: unknown word "bogus"`}},
		{"rights null", `{"name":"bob",` + pw + `,"rights":null}`, []string{`"bob": rights: expected string, array or integer, got null`}},
		{"rights bool", `{"name":"bob",` + pw + `,"rights":true}`, []string{`"bob": rights:`, "got bool"}},
		{"rights negative", `{"name":"bob",` + pw + `,"rights":-1}`, []string{`"bob": rights:`, "out of range"}},
		{"rights array with object", `{"name":"bob",` + pw + `,"rights":["user",{}]}`, []string{`"bob": rights: element 1`}},
		{"remotes missing sign", `{"name":"bob",` + pw + `,"remotes":"127.0.0.1"}`, []string{`"bob": remotes: rule "127.0.0.1": missing sign`}},
		{"remotes host name", `{"name":"bob",` + pw + `,"remotes":["+localhost"]}`, []string{`"bob": remotes:`, `"+localhost"`}},
		{"remotes wildcard", `{"name":"bob",` + pw + `,"remotes":"*"}`, []string{`"bob": remotes:`, "wildcard"}},
		{"remotes zone", `{"name":"bob",` + pw + `,"remotes":"+fe80::1%eth0"}`, []string{`"bob": remotes:`, "zone"}},
		{"remotes prefix range", `{"name":"bob",` + pw + `,"remotes":"+10.0.0.0/33"}`, []string{`"bob": remotes:`, "out of range"}},
		{"remotes mapped prefix", `{"name":"bob",` + pw + `,"remotes":"+::ffff:10.0.0.0/64"}`, []string{`"bob": remotes:`, "/96"}},
		{"remotes null", `{"name":"bob",` + pw + `,"remotes":null}`, []string{`"bob": remotes: expected string or array of strings, got null`}},
		{"remotes number element", `{"name":"bob",` + pw + `,"remotes":[1]}`, []string{`"bob": remotes: element 0`}},
		{"events missing colon", `{"name":"bob",` + pw + `,"events":"10"}`, []string{`"bob": events: entry "10"`}},
		{"events extra colon", `{"name":"bob",` + pw + `,"events":["10:6:1"]}`, []string{`"bob": events: entry "10:6:1"`}},
		{"events non-numeric", `{"name":"bob",` + pw + `,"events":"x:1"}`, []string{`"bob": events:`, `"x"`}},
		{"events out of range", `{"name":"bob",` + pw + `,"events":"70000:1"}`, []string{`"bob": events:`, "70000"}},
		{"events TX form", `{"name":"bob",` + pw + `,"events":"TX;10;6;0"}`, []string{`"bob": events:`, "TX|RX|BOTH"}},
		{"allow-events TX form", `{"name":"bob",` + pw + `,"allow-events":["BOTH;10;6;0"]}`, []string{`"bob": allow-events:`, "TX|RX|BOTH"}},
		{"events and allow-events both", `{"name":"bob",` + pw + `,"events":"","allow-events":""}`, []string{`"bob":`, `both "events" and its alias "allow-events"`}},
		{"events null", `{"name":"bob",` + pw + `,"events":null}`, []string{`"bob": events: expected string or array of strings, got null`}},
		{"max-priority 8", `{"name":"bob",` + pw + `,"max-priority":8}`, []string{`"bob": max-priority:`, "out of range 0-7"}},
		{"max-priority negative", `{"name":"bob",` + pw + `,"max-priority":-1}`, []string{`"bob": max-priority:`, "out of range"}},
		{"max-priority fraction", `{"name":"bob",` + pw + `,"max-priority":1.5}`, []string{`"bob": max-priority:`, "expected integer"}},
		{"max-priority string", `{"name":"bob",` + pw + `,"max-priority":"3"}`, []string{`"bob": max-priority: expected integer 0-7, got string`}},
		{"max-priority null", `{"name":"bob",` + pw + `,"max-priority":null}`, []string{`"bob": max-priority: expected integer 0-7, got null`}},
	}
	first := `{"name":"first",` + pw + `}`
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := `{"users":[` + first + `,` + c.entry + `]}`
			path := writeUsersFile(t, doc, 0o600)
			_, _, err := LoadUsers(path, nil)
			if err == nil {
				t.Fatalf("loaded %s", c.entry)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "users file "+path+": ") {
				t.Fatalf("error %q does not start with the file", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Fatalf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "secret") {
				t.Fatalf("error %q leaks a password", msg)
			}
			// The same entry inline fails as well and names the config key.
			_, _, err = LoadUsers("", json.RawMessage(`[`+first+`,`+c.entry+`]`))
			if err == nil || !strings.HasPrefix(err.Error(), `config "users": user #1`) {
				t.Fatalf("inline error %v", err)
			}
		})
	}
}

func TestLoadUsersDocumentErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"invalid JSON", `{"users":[}`, "invalid JSON at line 1"},
		{"invalid JSON line number", "{\n\"users\": [\n  {,}\n]}", "line 3"},
		{"trailing garbage", `{"users":[]} x`, "invalid JSON"},
		{"top-level array", `[]`, "top level must be an object"},
		{"top-level null", `null`, "top level must be an object"},
		{"no users member", `{"user":[]}`, `no "users" array`},
		{"users null", `{"users":null}`, "users: expected array, got null"},
		{"users object", `{"users":{}}`, "users: expected array, got object"},
		{"empty file", ``, "invalid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeUsersFile(t, c.doc, 0o600)
			_, _, err := LoadUsers(path, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want %q naming %s", err, c.want, path)
			}
		})
	}
	t.Run("BOM accepted", func(t *testing.T) {
		if _, _, err := LoadUsers(writeUsersFile(t, "\xEF\xBB\xBF"+sampleUsersMD5, 0o600), nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "nope.json")
		if _, _, err := LoadUsers(p, nil); err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		p := t.TempDir()
		if _, _, err := LoadUsers(p, nil); err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("inline not an array", func(t *testing.T) {
		for _, raw := range []string{`null`, `{}`, `"x"`} {
			if _, _, err := LoadUsers("", json.RawMessage(raw)); err == nil || !strings.Contains(err.Error(), `config "users"`) {
				t.Fatalf("%s: err = %v", raw, err)
			}
		}
	})
	t.Run("duplicate between file and inline", func(t *testing.T) {
		path := writeUsersFile(t, sampleUsersMD5, 0o600)
		_, _, err := LoadUsers(path, json.RawMessage(`[{"name":"x","password":"`+md5Admin+`"},{"name":"user","password":"`+md5Admin+`"}]`))
		if err == nil {
			t.Fatal("duplicate accepted")
		}
		want := `config "users": user #1 "user": name: duplicate name (already defined by users file ` + path + ` user #1)`
		if err.Error() != want {
			t.Fatalf("err = %q\nwant  %q", err, want)
		}
	})
}

func TestNilUsers(t *testing.T) {
	var us *Users
	if us.Len() != 0 || us.Lookup("admin") != nil || us.All() != nil || us.DebugNotes() != nil {
		t.Fatal("nil Users must behave as empty")
	}
}

func TestDummyVerificationMatchesCostliestForm(t *testing.T) {
	md5Only, _, err := LoadUsers(writeUsersFile(t, sampleUsersMD5, 0o600), nil)
	if err != nil {
		t.Fatal(err)
	}
	if md5Only.dummy.kind == passwordPBKDF2 {
		t.Fatal("MD5-only users need no PBKDF2 dummy")
	}
	mixed, _, err := LoadUsers(writeUsersFile(t, sampleUsersMD5, 0o600),
		json.RawMessage(`[{"name":"p","password":"000102030405060708090A0B0C0D0E0F;75F08B5A948D941FD93C5356A6282D618A750A53715B617BEA2FFF799DDEC52B"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if mixed.dummy.kind != passwordPBKDF2 {
		t.Fatal("a PBKDF2 user present: unknown names must cost a PBKDF2 verification")
	}
}

func FuzzLoadUsers(f *testing.F) {
	f.Add([]byte(sampleUsersMD5))
	f.Add([]byte(upstreamInstalledSample))
	f.Add([]byte(`{"users":[{"name":"a","password":"` + md5Admin + `","rights":["user",1],"remotes":"+::1","events":"1:*","max-priority":2,"filter":"0,1","mask":"0,0xffff"}]}`))
	f.Add([]byte(`{"users":[{"name":"a","user":"b"}]}`))
	f.Add([]byte(`{"users":null}`))
	// One directory for the whole run: a t.TempDir per input would make
	// the fuzzer spend its time creating and removing directories.
	p := filepath.Join(f.TempDir(), "users.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		us, _, err := LoadUsers(p, nil)
		if err != nil {
			if us != nil {
				t.Fatal("users returned with an error")
			}
			return
		}
		for i, u := range us.All() {
			if u.ID != i || us.Lookup(u.Name) != u || u.Name == "" || strings.ContainsAny(u.Name, ":;") {
				t.Fatalf("inconsistent user %d %+v", i, u)
			}
			if len(u.AUTH1Fields()) != 10 {
				t.Fatal("AUTH1 field count")
			}
		}
	})
}

// The shipped samples (configs/, packaged into /usr/share/vscpl2drv-websocksrv)
// are sampleUsersPBKDF2 and sampleUsersMD5, which TestLoadSampleUsersFiles
// loads and verifies.
func TestShippedUsersFilesAreTheSpecSamples(t *testing.T) {
	for file, want := range map[string]string{
		"users.json":     sampleUsersPBKDF2,
		"users-md5.json": sampleUsersMD5,
	} {
		t.Run(file, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join("..", "..", "configs", file))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatalf("configs/%s: %v", file, err)
			}
			if err := json.Unmarshal([]byte(want), &w); err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			if string(gj) != string(wj) {
				t.Fatalf("configs/%s differs from the sample:\n%s\nwant\n%s", file, gj, wj)
			}
		})
	}
}
