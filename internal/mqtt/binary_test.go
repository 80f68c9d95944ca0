package mqtt

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// pfE1Binary is E1 as a binary frame carries it: there is no obid field.
func pfE1Binary() vscp.Event {
	e := pfE1()
	e.OBID = 0
	return e
}

// pfM7 is the type-1 frame of M7.
const pfM7 = "0010016017B9775B31B48315000000000A0006000102030405060708090A0B0C0D0E0F000311223377B1"

func TestCRC16CCITTFalse(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		{"123456789", 0x29B1}, // the catalogue check value
		{"", 0xFFFF},          // the initial value
		{"A", 0xB915},
	}
	for _, tc := range tests {
		if got := CRC16CCITTFalse([]byte(tc.in)); got != tc.want {
			t.Errorf("CRC16CCITTFalse(%q) = 0x%04X, want 0x%04X", tc.in, got, tc.want)
		}
	}
	// Appending the CRC big-endian gives a residue of 0, which DecodeBinary
	// relies on.
	msg := []byte("123456789")
	if got := CRC16CCITTFalse(binary.BigEndian.AppendUint16(msg, 0x29B1)); got != 0 {
		t.Errorf("CRC over message and CRC = 0x%04X, want 0", got)
	}
}

func TestEncodeBinaryKnownAnswers(t *testing.T) {
	e1 := pfE1()
	e1.Note = "not carried"
	e1.DateTime.Nano = 999 // not carried
	tests := []struct {
		id   string
		ev   vscp.Event
		want string
		n    int
	}{
		{"M5", e1, pfM5, 42},
		{"M6", vscp.Event{Class: 10, Type: 6}, "000000000000000000000000000000000A00060000000000000000000000000000000000000C78", 39},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			got := EncodeBinary(nil, &tc.ev)
			if len(got) != tc.n {
				t.Errorf("length %d, want %d", len(got), tc.n)
			}
			if h := strings.ToUpper(hex.EncodeToString(got)); h != tc.want {
				t.Errorf("EncodeBinary = %s, want %s", h, tc.want)
			}
			if got2 := EncodeBinary([]byte{1, 2}, &tc.ev); !bytes.Equal(got2[2:], got) || got2[0] != 1 {
				t.Error("EncodeBinary does not append to dst correctly")
			}
		})
	}
}

func TestDecodeBinaryKnownAnswers(t *testing.T) {
	tests := []struct {
		id   string
		in   string
		want vscp.Event
	}{
		{"M5", pfM5, pfE1Binary()},
		{"M6", "000000000000000000000000000000000A00060000000000000000000000000000000000000C78", vscp.Event{Class: 10, Type: 6}},
		{"M7", pfM7, vscp.Event{Head: 0x60, Class: 10, Type: 6, Timestamp: 2934296576,
			DateTime: vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Nano: 123456789},
			GUID:     pfE1().GUID, Data: []byte{0x11, 0x22, 0x33}}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			got, err := DecodeBinary(pfHex(t, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !pfEqual(got, tc.want) {
				t.Errorf("DecodeBinary =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestDecodeBinaryM8SingleByteMutations changes every byte of M5 after the
// frame-type byte to every other value, and the frame-type byte to every
// value but 0x00 and 0x10: each must be a decode error.
func TestDecodeBinaryM8SingleByteMutations(t *testing.T) {
	m5 := pfHex(t, pfM5)
	p := make([]byte, len(m5))
	mutations := 0
	for pos := 1; pos < len(m5); pos++ {
		for v := range 256 {
			if byte(v) == m5[pos] || (pos == 1 && v == 0x10) {
				continue
			}
			copy(p, m5)
			p[pos] = byte(v)
			mutations++
			if ev, err := DecodeBinary(p); err == nil {
				t.Errorf("M5 with byte %d = 0x%02X decoded: %+v", pos, v, ev)
			}
		}
	}
	if want := (len(m5)-1)*255 - 1; mutations != want {
		t.Errorf("%d mutations, want %d", mutations, want)
	}

	t.Run("frame type 0x10 decodes as type 1", func(t *testing.T) {
		copy(p, m5)
		p[1] = 0x10
		ev, err := DecodeBinary(p)
		if err != nil {
			t.Fatal(err)
		}
		ns := binary.BigEndian.Uint64(m5[4:12])
		want := pfE1Binary()
		want.DateTime = vscp.DateTimeFromUnixNano(ns)
		want.Timestamp = vscp.TimestampFromUnixNano(ns)
		if !pfEqual(ev, want) {
			t.Errorf("got %+v, want %+v", ev, want)
		}
	})
	t.Run("marker byte", func(t *testing.T) {
		for v := 1; v < 256; v++ {
			copy(p, m5)
			p[0] = byte(v)
			if _, err := DecodeBinary(p); !errors.Is(err, ErrBinaryMarker) {
				t.Errorf("marker 0x%02X: err %v", v, err)
			}
		}
	})
}

// pfFrame builds a binary payload from its parts and fixes the CRC.
func pfFrame(frameType byte, head uint16, mid []byte, data []byte) []byte {
	p := []byte{0x00, frameType}
	p = binary.BigEndian.AppendUint16(p, head)
	p = append(p, mid...) // 11 bytes: time fields
	p = binary.BigEndian.AppendUint16(p, 10)
	p = binary.BigEndian.AppendUint16(p, 6)
	p = append(p, make([]byte, 16)...)
	p = binary.BigEndian.AppendUint16(p, uint16(len(data)))
	p = append(p, data...)
	return binary.BigEndian.AppendUint16(p, CRC16CCITTFalse(p[2:]))
}

func TestDecodeBinaryRules(t *testing.T) {
	m5 := pfHex(t, pfM5)
	zero11 := make([]byte, 11)
	nsFrame := func(ns uint64, head uint16) []byte {
		mid := binary.BigEndian.AppendUint64(nil, ns)
		mid = append(mid, 0xAA, 0xBB, 0xCC) // reserved, ignored
		return pfFrame(0x10, head, mid, nil)
	}
	withCRC := func(p []byte, head uint16, crc uint16) []byte {
		q := bytes.Clone(p)
		binary.BigEndian.PutUint16(q[2:], head)
		binary.BigEndian.PutUint16(q[len(q)-2:], crc)
		return q
	}

	okTests := []struct {
		name string
		in   []byte
		want vscp.Event
	}{
		{"trailing bytes ignored", append(bytes.Clone(m5), 1, 2, 3), pfE1Binary()},
		{"CRC magic with head bit 0x08", withCRC(m5, 0x68, 0xAA55), func() vscp.Event { e := pfE1Binary(); e.Head = 0x68; return e }()},
		{"valid CRC with head bit 0x08", pfFrame(0, 0x08, zero11, nil), vscp.Event{Head: 0x08, Class: 10, Type: 6}},
		{"type 1 with ns 0: unset datetime, timestamp 0", nsFrame(0, 0x0160), vscp.Event{Head: 0x60, Class: 10, Type: 6}},
		{"type 1 clears head bits 8-9 whatever they are", nsFrame(1e18, 0x0360), vscp.Event{Head: 0x60, Class: 10, Type: 6,
			DateTime: vscp.DateTimeFromUnixNano(1e18), Timestamp: vscp.TimestampFromUnixNano(1e18)}},
		{"type 0 clears head bits 01", pfFrame(0, 0x0160, zero11, nil), vscp.Event{Head: 0x60, Class: 10, Type: 6}},
		{"type 0 keeps reserved head bits 10", pfFrame(0, 0x0260, zero11, nil), vscp.Event{Head: 0x260, Class: 10, Type: 6}},
		{"type 0 keeps out-of-range datetime fields verbatim", pfFrame(0, 0, []byte{0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, nil),
			vscp.Event{Timestamp: 1, Class: 10, Type: 6, DateTime: vscp.DateTime{Year: 0xFFFF, Month: 0xFF, Day: 0xFF, Hour: 0xFF, Minute: 0xFF, Second: 0xFF}}},
		{"512 data bytes", pfFrame(0, 0, zero11, bytes.Repeat([]byte{7}, 512)), vscp.Event{Class: 10, Type: 6, Data: bytes.Repeat([]byte{7}, 512)}},
	}
	for _, tc := range okTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeBinary(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !pfEqual(got, tc.want) {
				t.Errorf("DecodeBinary =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}

	big := pfFrame(0, 0, zero11, make([]byte, 513))
	errTests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrBinaryShort},
		{"marker only", []byte{0}, ErrBinaryShort},
		{"CRC magic without head bit 0x08", withCRC(m5, 0x60, 0xAA55), ErrBinaryCRC},
		{"head bit 0x08 with a wrong CRC", withCRC(m5, 0x68, 0xAA56), ErrBinaryCRC},
		{"encrypted frame type 0", func() []byte { q := bytes.Clone(m5); q[1] = 0x01; return q }(), ErrBinaryEncrypted},
		{"encrypted frame type 1", func() []byte { q := bytes.Clone(m5); q[1] = 0x13; return q }(), ErrBinaryEncrypted},
		{"frame type 2", func() []byte { q := bytes.Clone(m5); q[1] = 0x20; return q }(), ErrBinaryFrameType},
		{"data size 513", big, ErrBinarySize},
		{"data size beyond the payload", func() []byte { q := bytes.Clone(m5); q[36] = 4; return q }(), ErrBinaryShort},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			if ev, err := DecodeBinary(tc.in); !errors.Is(err, tc.want) {
				t.Errorf("DecodeBinary = %+v, %v; want %v", ev, err, tc.want)
			}
		})
	}

	t.Run("every truncation of M5", func(t *testing.T) {
		for n := range len(m5) {
			if _, err := DecodeBinary(m5[:n]); !errors.Is(err, ErrBinaryShort) {
				t.Errorf("%d bytes: err %v, want ErrBinaryShort", n, err)
			}
		}
	})
}

func TestDecodeBinaryDoesNotAliasInput(t *testing.T) {
	p := pfHex(t, pfM5)
	ev, err := DecodeBinary(p)
	if err != nil {
		t.Fatal(err)
	}
	p[37] = 0
	if ev.Data[0] != 0x11 {
		t.Error("decoded data aliases the payload")
	}
}

func TestEncodeBinaryClampsData(t *testing.T) {
	ev := vscp.Event{Data: make([]byte, 600)}
	p := EncodeBinary(nil, &ev)
	if len(p) != 39+512 {
		t.Fatalf("length %d, want %d", len(p), 39+512)
	}
	back, err := DecodeBinary(p)
	if err != nil || len(back.Data) != 512 {
		t.Errorf("decode: %d bytes, %v", len(back.Data), err)
	}
}
