package auth

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
)

// vectorFile mirrors the sections of testdata/vectors.json (known answers of
// the VSCP specification) that this package is responsible for.
type vectorFile struct {
	AuthAES []struct {
		What               string `json:"what"`
		Encryption         string `json:"encryption"`
		Key                string `json:"key"`
		IV                 string `json:"iv"`
		Plaintext          string `json:"plaintext"`
		Padding            string `json:"padding"`
		PaddedPlaintextHex string `json:"padded_plaintext_hex"`
		Crypto             string `json:"crypto"`
		Expect             struct {
			Decrypt    string `json:"decrypt"`
			User       string `json:"user"`
			Password   string `json:"password"`
			LoginUsers string `json:"login_with_sample_users"`
		} `json:"expect"`
	} `json:"auth_aes"`
	AuthNegative []struct {
		What       string `json:"what"`
		Encryption string `json:"encryption"`
		Key        string `json:"key"`
		IV         string `json:"iv"`
		Crypto     string `json:"crypto"`
		Expect     struct {
			Decrypt    string `json:"decrypt"`
			WS1        string `json:"ws1"`
			WS2Errcode int    `json:"ws2_errcode"`
		} `json:"expect"`
	} `json:"auth_negative"`
	MD5Passwords []struct {
		What        string `json:"what"`
		Name        string `json:"name"`
		Password    string `json:"password"`
		Stored      string `json:"stored"`
		StoredUpper string `json:"stored_uppercase_also_valid"`
	} `json:"md5_passwords"`
	PBKDF2Passwords []struct {
		What       string `json:"what"`
		Name       string `json:"name"`
		Password   string `json:"password"`
		Salt       string `json:"salt"`
		Iterations int    `json:"iterations"`
		DKLen      int    `json:"dklen"`
		Hash       string `json:"hash"`
		Stored     string `json:"stored"`
	} `json:"pbkdf2_passwords"`
	Rights []struct {
		What          string          `json:"what"`
		Input         json.RawMessage `json:"input"`
		KeyAbsent     bool            `json:"key_absent"`
		Expect        string          `json:"expect"`
		ExpectDecimal *string         `json:"expect_decimal"`
	} `json:"rights"`
	Remotes []struct {
		What   string   `json:"what"`
		Rules  []string `json:"rules"`
		Peer   *string  `json:"peer"`
		Expect string   `json:"expect"`
	} `json:"remotes"`
	AllowedEvents []struct {
		What   string   `json:"what"`
		Events []string `json:"events"`
		Class  *int     `json:"class"`
		Type   *int     `json:"type"`
		Expect string   `json:"expect"`
	} `json:"allowed_events"`
	MaxPriority []struct {
		What        string `json:"what"`
		Head        string `json:"head"`
		Priority    int    `json:"priority"`
		MaxPriority *int   `json:"max_priority"`
		ExpectHead  string `json:"expect_head"`
	} `json:"max_priority"`
}

var (
	vectorsOnce sync.Once
	vectorsData *vectorFile
	vectorsErr  error
)

// vectorsPath holds the known-answer vectors of the VSCP specification that
// this package's rules are checked against.
const vectorsPath = "testdata/vectors.json"

// loadVectors reads and decodes vectorsPath once per test binary.
func loadVectors(t *testing.T) *vectorFile {
	t.Helper()
	vectorsOnce.Do(func() {
		data, err := os.ReadFile(vectorsPath)
		if err != nil {
			vectorsErr = err
			return
		}
		var v vectorFile
		if err := json.Unmarshal(data, &v); err != nil {
			vectorsErr = fmt.Errorf("%s: %w", vectorsPath, err)
			return
		}
		vectorsData = &v
	})
	if vectorsErr != nil {
		t.Fatalf("known-answer vectors: %v", vectorsErr)
	}
	return vectorsData
}

// TestVectorsPresent guards against a silently empty vector section, which
// would make the vector-driven tests pass vacuously.
func TestVectorsPresent(t *testing.T) {
	v := loadVectors(t)
	for name, n := range map[string]int{
		"auth_aes":         len(v.AuthAES),
		"auth_negative":    len(v.AuthNegative),
		"md5_passwords":    len(v.MD5Passwords),
		"pbkdf2_passwords": len(v.PBKDF2Passwords),
		"rights":           len(v.Rights),
		"remotes":          len(v.Remotes),
		"allowed_events":   len(v.AllowedEvents),
		"max_priority":     len(v.MaxPriority),
	} {
		if n == 0 {
			t.Errorf("vectors.json section %s is empty or missing", name)
		}
	}
}
