package auth

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestRightsVectors(t *testing.T) {
	for _, vec := range loadVectors(t).Rights {
		t.Run(vec.What, func(t *testing.T) {
			if vec.KeyAbsent {
				// Absence is resolved by the users loader, not ParseRights.
				us, _, err := LoadUsers("", json.RawMessage(`[{"name":"a","password":"2d1e4f91dae49cd08eaba2293e422273"}]`))
				if err != nil {
					t.Fatal(err)
				}
				if got := us.Lookup("a").Rights.String(); got != vec.Expect {
					t.Fatalf("absent rights = %s, want %s", got, vec.Expect)
				}
				return
			}
			got, err := ParseRights(vec.Input)
			if vec.Expect == "error" {
				if err == nil {
					t.Fatalf("ParseRights(%s) = %s, want error", vec.Input, got)
				}
				// Through the loader the error names the user.
				inline := `[{"name":"bob","password":"2d1e4f91dae49cd08eaba2293e422273","rights":` + string(vec.Input) + `}]`
				_, _, lerr := LoadUsers("", json.RawMessage(inline))
				if lerr == nil || !strings.Contains(lerr.Error(), `"bob": rights:`) {
					t.Fatalf("load error %v does not name the user and key", lerr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRights(%s): %v", vec.Input, err)
			}
			if got.String() != vec.Expect {
				t.Fatalf("ParseRights(%s) = %s, want %s", vec.Input, got, vec.Expect)
			}
			if vec.ExpectDecimal == nil || strconv.FormatUint(uint64(got), 10) != *vec.ExpectDecimal {
				t.Fatalf("decimal %d does not match %v", uint64(got), vec.ExpectDecimal)
			}
		})
	}
}

func TestParseRights(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    Rights
		wantErr string
	}{
		{"max integer exact", `18446744073709551615`, RightsAdmin, ""},
		{"integer beyond 64 bits", `18446744073709551616`, 0, "out of range"},
		{"negative integer", `-1`, 0, "out of range"},
		{"fraction", `1.5`, 0, "expected integer"},
		{"integral exponent form", `6.5536e4`, RightSendEvents, ""},
		{"exponent form beyond 64 bits", `2e19`, 0, "out of range"},
		{"inexact exponent form", `1.8e19`, 0, "not exact"},
		{"large exact exponent form rejected", `1e17`, 0, "not exact"},
		{"hex word upper X", `"0X10000"`, RightSendEvents, ""},
		{"hex max", `"0xFFFFFFFFFFFFFFFF"`, RightsAdmin, ""},
		{"hex too large", `"0x1FFFFFFFFFFFFFFFF"`, 0, "unknown word"},
		{"decimal too large", `"18446744073709551616"`, 0, "unknown word"},
		{"0x alone", `"0x"`, 0, "unknown word"},
		{"negative token", `"-1"`, 0, "unknown word"},
		{"octal form not accepted", `"0o17"`, 0, "unknown word"},
		{"mixed separators and case", `" Admin "`, RightsAdmin, ""},
		{"group words", `"tcp,web/rest,udp,mqtt"`, RightsDriver | 0x3D, ""},
		{"every single word", `"tcpip/ws/multicast/send-events/l1ctrl-events/l2ctrl-events/hlo-events/receive-events/set-filter/set-guid/test/interface/restart/shutdown"`, 0xFC1F0043, ""},
		{"array of ints and strings", `[1, "ws", "0x40"]`, 0x43, ""},
		{"array max int", `[18446744073709551615]`, RightsAdmin, ""},
		{"array with bool", `["user", true]`, 0, "element 1"},
		{"array with null", `[null]`, 0, "element 0"},
		{"array with nested array", `[["user"]]`, 0, "element 0"},
		{"array with bad word", `["user","bogus"]`, 0, `unknown word "bogus"`},
		{"null", `null`, 0, "got null"},
		{"object", `{}`, 0, "got object"},
		{"false", `false`, 0, "got bool"},
		{"separators only", `"/,/ ,"`, 0, ""},
		{"inner space in word", `"send events"`, 0, "unknown word"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRights(json.RawMessage(c.raw))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseRights(%s) = %s, %v; want error containing %q", c.raw, got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseRights(%s) = %s, %v; want %s", c.raw, got, err, c.want)
			}
		})
	}
}

func TestRightsGroups(t *testing.T) {
	cases := []struct {
		name string
		got  Rights
		want Rights
	}{
		{"user", RightsUser, 0x17007F},
		{"driver", RightsDriver, 0x170000},
		{"tcp", RightsTCP, 0x170001},
		{"websockets", RightsWebsockets, 0x170002},
		{"web", RightsWeb, 0x170004},
		{"rest", RightsREST, 0x170008},
		{"udp", RightsUDP, 0x170010},
		{"mqtt", RightsMQTT, 0x170020},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if RightsUser.Has(RightSetFilter) || RightsUser.Has(RightHLO) {
		t.Error("user must have neither set-filter nor hlo-events")
	}
	if !RightsUser.Has(RightWS | RightSendEvents | RightReceiveEvents | RightL1Ctrl | RightL2Ctrl) {
		t.Error("user lacks a basic right")
	}
	if Rights(0).String() != "0x0" || RightsAdmin.String() != "0xFFFFFFFFFFFFFFFF" {
		t.Error("AUTH1 rights rendering")
	}
}
