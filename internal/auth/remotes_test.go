package auth

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func TestRemotesVectors(t *testing.T) {
	for _, vec := range loadVectors(t).Remotes {
		t.Run(vec.What, func(t *testing.T) {
			r, err := ParseRemotes(vec.Rules)
			if vec.Expect == "load-error" {
				if err == nil {
					t.Fatalf("ParseRemotes(%q) succeeded, want a load error", vec.Rules)
				}
				// The same rules through the JSON entry point fail too.
				raw, _ := json.Marshal(vec.Rules)
				if _, err := ParseRemotesJSON(raw); err == nil {
					t.Fatalf("ParseRemotesJSON(%s) succeeded, want a load error", raw)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRemotes(%q): %v", vec.Rules, err)
			}
			if vec.Peer == nil {
				t.Fatal("vector without peer")
			}
			peer, err := netip.ParseAddr(*vec.Peer)
			if err != nil {
				t.Fatalf("bad peer in vector: %v", err)
			}
			if got := r.Allow(peer); got != (vec.Expect == "allow") {
				t.Fatalf("Allow(%s) with %q = %v, want %s", peer, vec.Rules, got, vec.Expect)
			}
		})
	}
}

func TestRemotesEvaluation(t *testing.T) {
	cases := []struct {
		name  string
		rules []string
		peer  string
		allow bool
	}{
		{"zero value allows all", nil, "8.8.8.8", true},
		{"comma separated in one entry", []string{"+10.0.0.0/8,+192.168.0.0/16"}, "192.168.1.1", true},
		{"comma separated in one entry, no match", []string{"+10.0.0.0/8, +192.168.0.0/16"}, "8.8.8.8", false},
		{"space after sign", []string{"+ 10.0.0.0/8"}, "10.9.9.9", true},
		{"bracketed IPv6", []string{"+[2001:db8::]/32"}, "2001:db8::77", true},
		{"bracketed IPv6 host", []string{"+[::1]"}, "::1", true},
		{"IPv4 rule never matches IPv6 peer", []string{"-0.0.0.0/0"}, "::1", true},
		{"mapped host rule", []string{"+::ffff:192.168.1.1"}, "192.168.1.1", true},
		{"mapped host rule other host", []string{"+::ffff:192.168.1.1"}, "192.168.1.2", false},
		{"mapped /96 is all IPv4", []string{"+::ffff:0.0.0.0/96"}, "1.2.3.4", true},
		{"mapped peer against deny", []string{"-127.0.0.0/8"}, "::ffff:127.0.0.5", false},
		{"IPv6 host bits masked", []string{"+2001:db8::1234/64"}, "2001:db8::1", true},
		{"prefix with leading zero", []string{"+10.0.0.0/08"}, "10.200.0.1", true},
		{"zero-length IPv6", []string{"+::/0"}, "2001:db8::1", true},
		{"zero-length IPv6 v4 peer denied", []string{"+::/0"}, "10.0.0.1", false},
		{"deny then allow subset", []string{"-10.0.0.0/8", "+10.1.0.0/16"}, "10.1.2.3", true},
		{"invalid peer with plus rules", []string{"+10.0.0.0/8"}, "", false},
		{"invalid peer with only minus rules", []string{"-10.0.0.0/8"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRemotes(c.rules)
			if err != nil {
				t.Fatalf("ParseRemotes: %v", err)
			}
			var peer netip.Addr
			if c.peer != "" {
				peer = netip.MustParseAddr(c.peer)
			}
			if got := r.Allow(peer); got != c.allow {
				t.Fatalf("Allow(%s) = %v, want %v", c.peer, got, c.allow)
			}
		})
	}
}

func TestRemotesLoadErrors(t *testing.T) {
	cases := []struct {
		name, rule, want string
	}{
		{"no sign", "127.0.0.1", "missing sign"},
		{"wildcard word", "*", "wildcard"},
		{"wildcard after sign", "+*", "wildcard"},
		{"wildcard octet", "+192.168.*.*", "wildcard"},
		{"host name", "+example.com", "host names"},
		{"localhost", "-localhost", "host names"},
		{"zone", "+fe80::1%eth0", "zone"},
		{"zone with prefix", "+fe80::%eth0/64", "zone"},
		{"IPv4 prefix too long", "+10.0.0.0/33", "out of range"},
		{"IPv6 prefix too long", "+::1/129", "out of range"},
		{"huge prefix", "+::1/99999999999999999999999", "out of range"},
		{"negative prefix", "+10.0.0.0/-1", "not a decimal"},
		{"empty prefix", "+10.0.0.0/", "not a decimal"},
		{"hex prefix", "+10.0.0.0/0x8", "not a decimal"},
		{"mapped prefix below 96", "+::ffff:10.0.0.0/64", "at least /96"},
		{"sign only", "+", "missing address"},
		{"sign and spaces", "-   ", "missing address"},
		{"garbage address", "+1.2.3", "not an IPv4"},
		{"leading-zero octet", "+010.0.0.1", "not an IPv4"},
		{"lone bracket", "+[::1", "not an IPv4"},
		{"double prefix", "+10.0.0.0/8/8", "not a decimal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRemotes([]string{c.rule})
			if err == nil {
				t.Fatalf("ParseRemotes(%q) succeeded", c.rule)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
			if !strings.Contains(err.Error(), strings.TrimSpace(c.rule)) {
				t.Fatalf("error %q does not name the rule %q", err, c.rule)
			}
		})
	}
}

func TestRemotesString(t *testing.T) {
	cases := []struct {
		name    string
		entries []string
		want    string
	}{
		{"empty", nil, ""},
		{"blank entries skipped", []string{"", "  ", ","}, ""},
		{"as written and trimmed", []string{" +192.168.1.5/16 ", "-::1"}, "+192.168.1.5/16,-::1"},
		{"split entry", []string{"+127.0.0.1 , +fe80::/64"}, "+127.0.0.1,+fe80::/64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRemotes(c.entries)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != c.want {
				t.Fatalf("String() = %q, want %q", got, c.want)
			}
			if r.Empty() != (c.want == "") {
				t.Fatalf("Empty() = %v", r.Empty())
			}
		})
	}
}

func TestRemotesJSON(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		wantErr string
		want    string
	}{
		{"string", `"+127.0.0.1,+::1"`, "", "+127.0.0.1,+::1"},
		{"empty string", `""`, "", ""},
		{"array", `["+127.0.0.1", "+fe80::/64"]`, "", "+127.0.0.1,+fe80::/64"},
		{"array with comma element", `["+127.0.0.1,+10.0.0.0/8", ""]`, "", "+127.0.0.1,+10.0.0.0/8"},
		{"empty array", `[]`, "", ""},
		{"null", `null`, "got null", ""},
		{"number", `5`, "got number", ""},
		{"bool", `true`, "got bool", ""},
		{"object", `{"a":1}`, "got object", ""},
		{"array with number", `["+127.0.0.1", 5]`, "element 1", ""},
		{"array with null", `[null]`, "element 0", ""},
		{"array with bad rule", `["+127.0.0.1", "10.0.0.1"]`, "missing sign", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRemotesJSON(json.RawMessage(c.raw))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.String() != c.want {
				t.Fatalf("String() = %q, want %q", r.String(), c.want)
			}
		})
	}
}

func FuzzParseRemotes(f *testing.F) {
	for _, s := range []string{"+127.0.0.1", "-0.0.0.0/0,+::1", "+::ffff:10.0.0.0/104", "+[fe80::]/64", "*", "+fe80::1%eth0", "+10.0.0.0/33", ""} {
		f.Add(s, "10.1.2.3")
	}
	f.Fuzz(func(t *testing.T, entry, peer string) {
		r, err := ParseRemotes([]string{entry})
		if err != nil {
			return
		}
		// A parsed list must re-parse from its own String form to the same
		// verdicts: String is what AUTH1 reports and what an admin copies.
		again, err := ParseRemotes([]string{r.String()})
		if err != nil {
			t.Fatalf("String() %q of a valid list does not re-parse: %v", r.String(), err)
		}
		if addr, err := netip.ParseAddr(peer); err == nil {
			if r.Allow(addr) != again.Allow(addr) {
				t.Fatalf("verdict changed after re-parse for %s", addr)
			}
		}
		_ = r.Allow(netip.Addr{})
	})
}
