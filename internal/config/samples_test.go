package config

import (
	"path/filepath"
	"testing"
)

// The shipped sample configurations must always be valid.
func TestShippedSamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "configs", "websocksrv*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == "websocksrv-mqtt.json" != c.MQTT.Enabled {
				t.Fatalf("MQTT enabled = %v", c.MQTT.Enabled)
			}
		})
	}
}
