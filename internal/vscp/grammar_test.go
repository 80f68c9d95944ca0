package vscp

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	const u8, u16, u32, u64 = MaxU8, MaxU16, MaxU32, MaxU64
	tests := []struct {
		name    string
		in      string
		max     uint64
		want    uint64
		wantErr string // substring; "" = success
	}{
		// K1
		{"K1 decimal", "10", u32, 10, ""},
		{"K1 hex trimmed", " 0x1F ", u32, 31, ""},
		{"K1 hex upper prefix lower digits", "0X1f", u32, 31, ""},
		// K2
		{"K2 binary", "0b101", u32, 5, ""},
		{"K2 octal", "0o17", u32, 15, ""},
		{"K2 leading zero is decimal", "017", u32, 17, ""},
		// K3
		{"K3 negative", "-1", u32, 0, "unexpected '-'"},
		{"K3 partial parse", "12abc", u32, 0, "unexpected 'a'"},
		{"K3 exponent", "1e3", u32, 0, "unexpected 'e'"},
		{"K3 bare hex prefix", "0x", u32, 0, "no digits"},
		{"K3 letters", "abc", u32, 0, "unexpected 'a'"},
		// K4
		{"K4 65536 in u16", "65536", u16, 0, "value 65536 exceeds 65535"},
		{"K4 65536 in u32", "65536", u32, 65536, ""},

		{"prefix upper binary", "0B11", u8, 3, ""},
		{"prefix upper octal", "0O777", u16, 511, ""},
		{"zero", "0", u8, 0, ""},
		{"many leading zeros", "0000000000000000000000000042", u8, 42, ""},
		{"hex leading zeros", "0x00000000000000000000FF", u8, 255, ""},
		{"all whitespace kinds trimmed", "\t\r\n\v\f 7 \f\v\n\r\t", u8, 7, ""},
		{"u8 max", "255", u8, 255, ""},
		{"u8 overflow", "256", u8, 0, "value 256 exceeds 255"},
		{"u8 hex overflow", "0x100", u8, 0, "value 0x100 exceeds 255"},
		{"u16 max hex", "0xFFFF", u16, 65535, ""},
		{"u32 max", "4294967295", u32, 4294967295, ""},
		{"u32 overflow", "4294967296", u32, 0, "exceeds 4294967295"},
		{"u64 max", "18446744073709551615", u64, 18446744073709551615, ""},
		{"u64 overflow", "18446744073709551616", u64, 0, "exceeds 18446744073709551615"},
		{"u64 hex max", "0xFFFFFFFFFFFFFFFF", u64, 1<<64 - 1, ""},
		{"u64 hex overflow", "0x10000000000000000", u64, 0, "exceeds"},
		{"huge decimal", strings.Repeat("9", 100), u64, 0, "exceeds"},
		{"syntax error beats overflow", strings.Repeat("9", 30) + "x", u64, 0, "unexpected 'x'"},
		{"plus sign", "+1", u32, 0, "unexpected '+'"},
		{"underscore", "1_000", u32, 0, "unexpected '_'"},
		{"inner space", "1 2", u32, 0, "unexpected ' '"},
		{"octal digit 8", "0o8", u32, 0, "unexpected '8'"},
		{"binary digit 2", "0b102", u32, 0, "unexpected '2'"},
		{"hex non-digit", "0xFG", u32, 0, "unexpected 'G'"},
		{"bare octal prefix", "0o", u32, 0, "no digits"},
		{"bare binary prefix", "0b", u32, 0, "no digits"},
		{"double prefix", "0x0x1", u32, 0, "unexpected 'x'"},
		{"fraction", "1.0", u32, 0, "unexpected '.'"},
		{"non-breaking space is not trimmed", "\u00a01", u32, 0, "unexpected"},
		{"hex prefix alone after trim", " 0X ", u32, 0, "no digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNumber(tc.in, tc.max)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseNumber(%q, %d) = %d, %v; want %d", tc.in, tc.max, got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseNumber(%q, %d) = %d, %v; want error containing %q", tc.in, tc.max, got, err, tc.wantErr)
			}
			if errors.Is(err, ErrEmpty) {
				t.Fatalf("ParseNumber(%q) returned ErrEmpty for non-empty input", tc.in)
			}
		})
	}
}

func TestParseNumberEmptyIsAbsent(t *testing.T) {
	for _, in := range []string{"", " ", "\t\r\n", "\v\f"} {
		v, err := ParseNumber(in, MaxU64)
		if !errors.Is(err, ErrEmpty) || v != 0 {
			t.Errorf("ParseNumber(%q) = %d, %v; want 0, ErrEmpty", in, v, err)
		}
	}
}

func TestTrimOnlyASCIIWhitespace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" \t\r\n\v\f", ""},
		{" a b ", "a b"},
		{"\u00a0a\u00a0", "\u00a0a\u00a0"},
		{"\u0085x", "\u0085x"},
	}
	for _, tc := range tests {
		if got := trim(tc.in); got != tc.want {
			t.Errorf("trim(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
