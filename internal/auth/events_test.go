package auth

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAllowedEventsVectors(t *testing.T) {
	for _, vec := range loadVectors(t).AllowedEvents {
		t.Run(vec.What+" "+strings.Join(vec.Events, ","), func(t *testing.T) {
			a, err := ParseAllowedEvents(vec.Events)
			if vec.Expect == "load-error" {
				if err == nil {
					t.Fatalf("ParseAllowedEvents(%q) succeeded", vec.Events)
				}
				raw, _ := json.Marshal(vec.Events)
				inline := `[{"name":"bob","password":"2d1e4f91dae49cd08eaba2293e422273","events":` + string(raw) + `}]`
				_, _, lerr := LoadUsers("", json.RawMessage(inline))
				if lerr == nil || !strings.Contains(lerr.Error(), `"bob": events:`) {
					t.Fatalf("load error %v does not name the user and key", lerr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vec.Class == nil || vec.Type == nil {
				t.Fatal("vector without class/type")
			}
			got := a.Allows(uint16(*vec.Class), uint16(*vec.Type))
			if got != (vec.Expect == "allowed") {
				t.Fatalf("Allows(%d,%d) = %v, want %s", *vec.Class, *vec.Type, got, vec.Expect)
			}
		})
	}
}

func TestAllowedEventsParsing(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    string // normalised String()
		wantErr string
	}{
		{"empty string", `""`, "", ""},
		{"empty array", `[]`, "", ""},
		{"comma string", `"10:*, 30:9"`, "000A:*,001E:0009", ""},
		{"slash stored form", `"10:*/30:9"`, "000A:*,001E:0009", ""},
		{"array elements with separators", `["10:6,20:*", "*:3/ *:* "]`, "000A:0006,0014:*,*:0003,*:*", ""},
		{"spaces around sides", `" 0x14 : 0X03 "`, "0014:0003", ""},
		{"max values", `"65535:0xFFFF"`, "FFFF:FFFF", ""},
		{"empty entries skipped", `[",,", "", "1:2,"]`, "0001:0002", ""},
		{"missing colon", `"10"`, "", `missing ":"`},
		{"extra colon", `"10:6:1"`, "", `more than one ":"`},
		{"TX form", `"TX;10;6;0"`, "", "direction form"},
		{"RX form with pipes", `"TX|RX;10;6;0"`, "", "direction form"},
		{"BOTH form", `["BOTH;10;6;0"]`, "", "direction form"},
		{"non-numeric class", `"x:1"`, "", "class:"},
		{"non-numeric type", `"1:y"`, "", "type:"},
		{"class too large", `"70000:1"`, "", "class:"},
		{"type too large", `"1:0x10000"`, "", "type:"},
		{"negative", `"-1:1"`, "", "class:"},
		{"empty side", `":1"`, "", "class:"},
		{"double wildcard", `"**:1"`, "", "class:"},
		{"null", `null`, "", "got null"},
		{"number", `10`, "", "got number"},
		{"array of numbers", `[10]`, "", "element 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseAllowedEventsJSON(json.RawMessage(c.raw))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.String() != c.want {
				t.Fatalf("String() = %q, want %q", a.String(), c.want)
			}
			if a.Empty() != (c.want == "") {
				t.Fatalf("Empty() = %v", a.Empty())
			}
		})
	}
}

func TestAllowedEventsMatching(t *testing.T) {
	a, err := ParseAllowedEvents([]string{"*:6", "20:*", "30:9"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		class, typ uint16
		want       bool
	}{
		{40, 6, true}, {0, 6, true}, {20, 0, true}, {20, 65535, true}, {30, 9, true},
		{30, 8, false}, {31, 9, false}, {40, 7, false},
	}
	for _, c := range cases {
		if got := a.Allows(c.class, c.typ); got != c.want {
			t.Errorf("Allows(%d,%d) = %v, want %v", c.class, c.typ, got, c.want)
		}
	}
	var zero AllowedEvents
	if !zero.Allows(1028, 1) || !zero.Empty() || zero.String() != "" {
		t.Error("zero AllowedEvents must allow everything")
	}
}
