package auth

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// upstreamKeyFile is shaped like upstream's resources/vscp.key: 256 bytes
// (512 hex digits) on one line, starting with the K1 test key.
func upstreamKeyFile() string {
	var b strings.Builder
	b.WriteString("2DBB079A38985AF00EBEEFE22F9FFA0E7F72DF06EBE44563")
	for b.Len() < 512 {
		b.WriteString("0123456789ABCDEF")
	}
	return b.String()[:512] + "\n"
}

func writeKeyFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vscp.key")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseEncryption(t *testing.T) {
	cases := []struct {
		in      string
		want    Encryption
		keyLen  int
		wantErr bool
	}{
		{"aes128", EncAES128, 16, false},
		{"AES192", EncAES192, 24, false},
		{" Aes256 ", EncAES256, 32, false},
		{"none", EncNone, 0, false},
		{"NONE", EncNone, 0, false},
		{"aes", 0, 0, true},
		{"", 0, 0, true},
		{"aes-128", 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseEncryption(c.in)
			if c.wantErr {
				if err == nil {
					t.Fatalf("ParseEncryption(%q) = %v, want error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseEncryption(%q) = %v, %v", c.in, got, err)
			}
			if got.KeyLen() != c.keyLen {
				t.Fatalf("KeyLen = %d, want %d", got.KeyLen(), c.keyLen)
			}
			if again, _ := ParseEncryption(got.String()); again != got {
				t.Fatalf("String %q does not round-trip", got.String())
			}
		})
	}
	var zero Encryption
	if zero != EncAES128 {
		t.Fatal("zero Encryption must be the default aes128")
	}
}

func TestDefaultKey(t *testing.T) {
	cases := []struct {
		enc  Encryption
		want string
	}{
		{EncAES128, "A4A86F7D7E119BA3F0CD06881E371B98"},
		{EncAES192, "A4A86F7D7E119BA3F0CD06881E371B989B33B6D606A863B6"},
		{EncAES256, "A4A86F7D7E119BA3F0CD06881E371B989B33B6D606A863B633EF529D64544F8E"},
		{EncNone, ""},
	}
	for _, c := range cases {
		t.Run(c.enc.String(), func(t *testing.T) {
			k := DefaultKey(c.enc)
			if got := strings.ToUpper(hex.EncodeToString(k)); got != c.want {
				t.Fatalf("DefaultKey = %s, want %s", got, c.want)
			}
			if len(k) > 0 {
				k[0] ^= 0xFF // callers may scribble on their copy
				if DefaultKey(c.enc)[0] == k[0] {
					t.Fatal("DefaultKey returned shared storage")
				}
			}
		})
	}
}

func TestLoadKeyFile(t *testing.T) {
	cases := []struct {
		name    string
		content string
		enc     Encryption
		want    string // hex of the key, or "" when an error is wanted
		wantErr string
	}{
		{"bare 16 bytes", "2DBB079A38985AF00EBEEFE22F9FFA0E", EncAES128, "2DBB079A38985AF00EBEEFE22F9FFA0E", ""},
		{"lower case", "2dbb079a38985af00ebeefe22f9ffa0e\n", EncAES128, "2DBB079A38985AF00EBEEFE22F9FFA0E", ""},
		{"whitespace and newlines", " 2DBB 079A\t38985AF0\r\n0EBEEFE2\v2F9F\fFA0E \n\n", EncAES128, "2DBB079A38985AF00EBEEFE22F9FFA0E", ""},
		{"upstream 256-byte file aes128", upstreamKeyFile(), EncAES128, "2DBB079A38985AF00EBEEFE22F9FFA0E", ""},
		{"upstream 256-byte file aes192", upstreamKeyFile(), EncAES192, "2DBB079A38985AF00EBEEFE22F9FFA0E7F72DF06EBE44563", ""},
		{"upstream 256-byte file aes256", upstreamKeyFile(), EncAES256, "2DBB079A38985AF00EBEEFE22F9FFA0E7F72DF06EBE445630123456789ABCDEF", ""},
		{"64 hex digits", "A4A86F7D7E119BA3F0CD06881E371B989B33B6D606A863B633EF529D64544F8E", EncAES256, "A4A86F7D7E119BA3F0CD06881E371B989B33B6D606A863B633EF529D64544F8E", ""},
		{"odd length", "2DBB079A38985AF00EBEEFE22F9FFA0E1", EncAES128, "", "odd number"},
		{"non-hex", "2DBB079A38985AF00EBEEFE22F9FFA0G", EncAES128, "", "non-hex"},
		{"0x prefix", "0x2DBB079A38985AF00EBEEFE22F9FFA0E", EncAES128, "", "0x prefix"},
		{"0X prefix after whitespace", "\n 0X2DBB079A38985AF00EBEEFE22F9FFA0E", EncAES128, "", "0x prefix"},
		{"too short for aes128", "2DBB079A38985AF00EBEEFE22F9FFA", EncAES128, "", "needs at least 16"},
		{"16 bytes too short for aes256", "2DBB079A38985AF00EBEEFE22F9FFA0E", EncAES256, "", "aes256 needs at least 32"},
		{"24 bytes too short for aes256", "2DBB079A38985AF00EBEEFE22F9FFA0E7F72DF06EBE44563", EncAES256, "", "needs at least 32"},
		{"empty", "", EncAES128, "", "holds 0 bytes"},
		{"whitespace only", " \n\t", EncAES128, "", "holds 0 bytes"},
		{"exactly 64 KiB", strings.Repeat("AB", maxKeyFileSize/2), EncAES128, "ABABABABABABABABABABABABABABABAB", ""},
		{"over 64 KiB", strings.Repeat("AB", maxKeyFileSize/2) + "\n", EncAES128, "", "larger than"},
		{"unicode space is not whitespace", "2DBB079A38985AF0\u00a00EBEEFE22F9FFA0E", EncAES128, "", "non-hex"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeKeyFile(t, c.content, 0o600)
			key, warnings, err := LoadKeyFile(p, c.enc)
			if len(warnings) != 0 {
				t.Errorf("unexpected warnings for mode 0600: %q", warnings)
			}
			if c.wantErr != "" {
				if err == nil {
					t.Fatalf("LoadKeyFile succeeded with key %X, want error containing %q", key, c.wantErr)
				}
				if !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("error %q should contain %q and the path", err, c.wantErr)
				}
				// Key material must never leak into errors.
				if len(c.content) >= 8 && strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(strings.TrimSpace(c.content))[:8]) {
					t.Fatalf("error %q leaks key material", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKeyFile: %v", err)
			}
			if got := strings.ToUpper(hex.EncodeToString(key)); got != c.want {
				t.Fatalf("key = %s, want %s", got, c.want)
			}
		})
	}
}

func TestLoadKeyFileEncryptionNoneSkipsFile(t *testing.T) {
	key, warnings, err := LoadKeyFile(filepath.Join(t.TempDir(), "does-not-exist"), EncNone)
	if key != nil || warnings != nil || err != nil {
		t.Fatalf("EncNone must not read the file: %v %v %v", key, warnings, err)
	}
}

func TestLoadKeyFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	t.Run("missing", func(t *testing.T) {
		p := filepath.Join(dir, "missing.key")
		_, _, err := LoadKeyFile(p, EncAES128)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v, want not-exist naming the path", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, _, err := LoadKeyFile(dir, EncAES128)
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Fatalf("err = %v, want a read error naming the path", err)
		}
	})
	t.Run("no permission", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads files regardless of mode")
		}
		p := writeKeyFile(t, "2DBB079A38985AF00EBEEFE22F9FFA0E", 0o000)
		if _, _, err := LoadKeyFile(p, EncAES128); err == nil {
			t.Fatal("unreadable key file accepted")
		}
	})
}

func TestLoadKeyFilePermissionWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		p := writeKeyFile(t, "2DBB079A38985AF00EBEEFE22F9FFA0E", mode)
		key, warnings, err := LoadKeyFile(p, EncAES128)
		if err != nil || len(key) != 16 {
			t.Fatalf("mode %o: %v", mode, err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "readable by group or others") {
			t.Fatalf("mode %o: warnings = %q", mode, warnings)
		}
		if bytes.Contains([]byte(warnings[0]), []byte("2DBB")) {
			t.Fatal("warning leaks key material")
		}
	}
}
