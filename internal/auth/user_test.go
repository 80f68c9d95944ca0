package auth

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestMaxPriorityVectors(t *testing.T) {
	for i, vec := range loadVectors(t).MaxPriority {
		t.Run(strconv.Itoa(i)+" "+vec.What, func(t *testing.T) {
			head, err := strconv.ParseUint(vec.Head, 0, 16)
			if err != nil {
				t.Fatal(err)
			}
			want, err := strconv.ParseUint(vec.ExpectHead, 0, 16)
			if err != nil {
				t.Fatal(err)
			}
			if int((head>>5)&7) != vec.Priority {
				t.Fatalf("vector priority %d inconsistent with head %s", vec.Priority, vec.Head)
			}
			u := &User{MaxPriority: -1}
			if vec.MaxPriority != nil {
				u.MaxPriority = *vec.MaxPriority
			}
			got, changed := u.ClampPriority(uint16(head))
			if uint64(got) != want {
				t.Fatalf("ClampPriority(%s) with max %v = 0x%04X, want %s", vec.Head, vec.MaxPriority, got, vec.ExpectHead)
			}
			if changed != (uint64(got) != head) {
				t.Fatalf("changed = %v for 0x%04X -> 0x%04X", changed, head, got)
			}
		})
	}
}

func TestClampPriorityKeepsOtherBits(t *testing.T) {
	for m := 0; m <= 7; m++ {
		u := &User{MaxPriority: m}
		for head := 0; head <= 0xFFFF; head += 0x1F {
			got, _ := u.ClampPriority(uint16(head))
			if got&^0xE0 != uint16(head)&^0xE0 {
				t.Fatalf("m=%d head 0x%04X: other bits changed to 0x%04X", m, head, got)
			}
			p := int(got>>5) & 7
			if p < m || (int(head>>5)&7 >= m && got != uint16(head)) {
				t.Fatalf("m=%d head 0x%04X -> 0x%04X", m, head, got)
			}
		}
	}
}

func TestCanSendClass(t *testing.T) {
	events, err := ParseAllowedEvents([]string{"0:*", "512:1", "1024:*", "1028:*", "10:6"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		rights     Rights
		events     AllowedEvents
		class, typ uint16
		want       bool
	}{
		{"plain class, user rights", RightsUser, AllowedEvents{}, 10, 6, true},
		{"class 0 needs l1ctrl", RightSendEvents, AllowedEvents{}, 0, 1, false},
		{"class 0 with l1ctrl", RightL1Ctrl, AllowedEvents{}, 0, 1, true},
		{"class 512 needs l1ctrl", RightL2Ctrl | RightHLO, AllowedEvents{}, 512, 1, false},
		{"class 512 with l1ctrl", RightL1Ctrl, AllowedEvents{}, 512, 1, true},
		{"class 1024 needs l2ctrl", RightL1Ctrl | RightHLO, AllowedEvents{}, 1024, 1, false},
		{"class 1024 with l2ctrl", RightL2Ctrl, AllowedEvents{}, 1024, 1, true},
		{"class 1028 needs hlo", RightsUser, AllowedEvents{}, 1028, 1, false},
		{"class 1028 with hlo", RightsUser | RightHLO, AllowedEvents{}, 1028, 1, true},
		{"allowed list blocks", RightsAdmin, events, 10, 7, false},
		{"allowed list passes", RightsAdmin, events, 10, 6, true},
		{"class right before list", RightsUser, events, 1028, 1, false},
		{"send-events is not part of this check", 0, AllowedEvents{}, 10, 6, true},
		{"class 513 is ordinary", 0, AllowedEvents{}, 513, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := &User{Rights: c.rights, Events: c.events, MaxPriority: -1}
			if got := u.CanSendClass(c.class, c.typ); got != c.want {
				t.Fatalf("CanSendClass(%d,%d) = %v, want %v", c.class, c.typ, got, c.want)
			}
		})
	}
}

func TestAUTH1Fields(t *testing.T) {
	inline := `[
	 {"name":"first","password":"2d1e4f91dae49cd08eaba2293e422273"},
	 {"name":"bob","password":"2d1e4f91dae49cd08eaba2293e422273",
	  "fullname":"Bob; the\r\nBuilder","note":"näte 'x'",
	  "filter":"1,10,6,0a:0b","mask":"7,0xffff,0xffff,-",
	  "rights":"user/set-filter","remotes":[" +127.0.0.0/8 ","+::1"],
	  "events":"10:*,0x14:3,*:*"}]`
	us, _, err := LoadUsers("", json.RawMessage(inline))
	if err != nil {
		t.Fatal(err)
	}
	got := us.Lookup("bob").AUTH1Fields()
	want := []string{
		"1", "bob", "********", "Bob  the  Builder",
		"1,10,6,0A:0B:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
		"7,65535,65535,00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
		"0x417007F", "+127.0.0.0/8,+::1", "000A:*,0014:0003,*:*",
		base64.StdEncoding.EncodeToString([]byte("näte 'x'")),
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("AUTH1Fields =\n%q\nwant\n%q", got, want)
	}
	empty := us.Lookup("first").AUTH1Fields()
	if len(empty) != 10 || empty[0] != "0" || empty[3] != "" || empty[7] != "" || empty[8] != "" || empty[9] != "" || empty[6] != "0x17007F" {
		t.Fatalf("defaults: %q", empty)
	}
}
