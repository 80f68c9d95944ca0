package version

import "testing"

func TestPackedVersionFollowsMajorMinorReleaseBuildPacking(t *testing.T) {
	// Known answers of vectors.json "version": 15.2.0-0 is upstream, ours must be greater.
	const upstream uint32 = 0x0F020000
	if Packed != 0x0F030000 {
		t.Fatalf("Packed = %#x, want 0x0F030000 for 15.3.0-0", Packed)
	}
	if Packed <= upstream {
		t.Fatalf("Packed %#x must compare greater than upstream %#x", Packed, upstream)
	}
	if got := String(); got != "15.3.0-0" {
		t.Fatalf("String() = %q, want 15.3.0-0", got)
	}
}
