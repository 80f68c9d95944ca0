package version

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// versionVectors reads the VSCPGetVersion known answers of
// testdata/vectors.json: upstream 15.2.0-0 and 15.3.0-0.
func versionVectors(t *testing.T) map[string]uint32 {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatalf("known-answer vectors: %v", err)
	}
	var doc struct {
		Version []struct {
			Major, Minor, Release, Build int
			Expect                       string
		} `json:"version"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("testdata/vectors.json: %v", err)
	}
	out := map[string]uint32{}
	for _, v := range doc.Version {
		n, err := strconv.ParseUint(v.Expect, 0, 32)
		if err != nil {
			t.Fatalf("version vector expect %q: %v", v.Expect, err)
		}
		out[strconv.Itoa(v.Major)+"."+strconv.Itoa(v.Minor)+"."+strconv.Itoa(v.Release)+"-"+strconv.Itoa(v.Build)] = uint32(n)
	}
	return out
}

func TestPackedVersionMatchesKnownAnswer(t *testing.T) {
	want, ok := versionVectors(t)[String()]
	if !ok {
		t.Fatalf("no known answer for %s in testdata/vectors.json", String())
	}
	if Packed != want {
		t.Fatalf("Packed = %#x, want %#x for %s", Packed, want, String())
	}
	if got := String(); got != "15.3.0-0" {
		t.Fatalf("String() = %q, want 15.3.0-0", got)
	}
}

func TestPackedVersionComparesGreaterThanUpstream(t *testing.T) {
	upstream, ok := versionVectors(t)["15.2.0-0"]
	if !ok {
		t.Fatal("no known answer for upstream 15.2.0-0 in testdata/vectors.json")
	}
	if Packed <= upstream {
		t.Fatalf("Packed %#x must compare greater than upstream %#x", Packed, upstream)
	}
}
