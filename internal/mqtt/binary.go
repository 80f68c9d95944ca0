package mqtt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Binary payload layout (docs/mqtt.md, payload formats): one 0x00 marker
// byte, then a VSCP binary frame, big-endian. Offsets below are payload
// offsets (frame offset + 1).
const (
	binMarker    = 0  // 0x00
	binFrameType = 1  // high nibble frame type, low nibble encryption
	binHead      = 2  // u16
	binTimestamp = 4  // type 0: u32 µs
	binNanos     = 4  // type 1: u64 ns since the epoch
	binYear      = 8  // type 0: u16, then month, day, hour, minute, second
	binClass     = 15 // u16
	binType      = 17 // u16
	binGUID      = 19 // 16 bytes
	binSize      = 35 // u16 data size n
	binData      = 37 // n bytes, then the u16 CRC
	binMinLen    = 39 // marker + frame without data
	binCRCMagic  = 0xAA55
	headNoCRC    = 0x08 // head bit 3: the CRC field may be binCRCMagic

	frameType0 = 0x00 // date fields and µs timestamp (emitted)
	frameType1 = 0x10 // ns since the epoch (decoded only)
)

// CRC16CCITTFalse returns the CRC-16/CCITT-FALSE of b: polynomial 0x1021,
// initial value 0xFFFF, no reflection, no final xor ("123456789" gives
// 0x29B1). Appending the CRC big-endian makes the CRC of the whole 0.
func CRC16CCITTFalse(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
	}
	return crc
}

// crcTable is the byte-wise table of the polynomial 0x1021.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// EncodeBinary appends the binary payload of ev to dst: the 0x00 marker
// and a type-0 frame (head, timestamp µs, year, month, day, hour, minute,
// second, class, type, GUID, data size, data, CRC over frame offsets
// 1…35+n). The datetime fields are written verbatim (all 0 when unset); the
// nanoseconds and the note are not carried. Data beyond vscp.MaxData bytes,
// which an event never has, is not written.
func EncodeBinary(dst []byte, ev *vscp.Event) []byte {
	data := ev.Data
	if len(data) > vscp.MaxData {
		data = data[:vscp.MaxData]
	}
	start := len(dst)
	dst = append(dst, 0x00, frameType0)
	dst = binary.BigEndian.AppendUint16(dst, ev.Head)
	dst = binary.BigEndian.AppendUint32(dst, ev.Timestamp)
	dt := ev.DateTime
	dst = binary.BigEndian.AppendUint16(dst, dt.Year)
	dst = append(dst, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second)
	dst = binary.BigEndian.AppendUint16(dst, ev.Class)
	dst = binary.BigEndian.AppendUint16(dst, ev.Type)
	dst = append(dst, ev.GUID[:]...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(data)))
	dst = append(dst, data...)
	crc := CRC16CCITTFalse(dst[start+binHead:])
	return binary.BigEndian.AppendUint16(dst, crc)
}

// Errors of DecodeBinary; the returned errors wrap one of them.
var (
	ErrBinaryShort     = errors.New("binary payload too short")
	ErrBinaryMarker    = errors.New("binary payload: marker byte is not 0x00")
	ErrBinaryFrameType = errors.New("binary payload: unsupported frame type")
	ErrBinaryEncrypted = errors.New("binary payload: encrypted frames are not supported")
	ErrBinarySize      = errors.New("binary payload: data size above 512")
	ErrBinaryCRC       = errors.New("binary payload: CRC mismatch")
)

// DecodeBinary decodes a binary payload. The marker must be 0x00 and the
// frame type 0 or 1 with encryption nibble 0; the payload must hold the whole
// frame (39 + n bytes, n ≤ 512), and the CRC over frame offsets 1…37+n must
// come out 0 unless head bit 0x08 is set and the CRC field is 0xAA55. Bytes
// after the frame are ignored.
//
// Type 0: datetime and timestamp are taken verbatim from the frame (nano
// 0; an all-zero date is unset, which the bridge fills with "now"), and
// head frame bits 01 are cleared as by every decoder. Type 1: the datetime
// is the instant of the ns field (unset when 0), timestamp := (ns/1000)
// mod 2^32, head bits 8–9 are cleared; the reserved bytes are ignored.
func DecodeBinary(p []byte) (vscp.Event, error) {
	if len(p) < binMinLen {
		return vscp.Event{}, fmt.Errorf("%w: %d bytes, need at least %d", ErrBinaryShort, len(p), binMinLen)
	}
	if p[binMarker] != 0x00 {
		return vscp.Event{}, fmt.Errorf("%w (0x%02X)", ErrBinaryMarker, p[binMarker])
	}
	ft := p[binFrameType]
	if ft&0x0F != 0 {
		return vscp.Event{}, fmt.Errorf("%w (frame type byte 0x%02X)", ErrBinaryEncrypted, ft)
	}
	if ft != frameType0 && ft != frameType1 {
		return vscp.Event{}, fmt.Errorf("%w (0x%02X)", ErrBinaryFrameType, ft)
	}
	n := int(binary.BigEndian.Uint16(p[binSize:]))
	if n > vscp.MaxData {
		return vscp.Event{}, fmt.Errorf("%w (%d)", ErrBinarySize, n)
	}
	if len(p) < binMinLen+n {
		return vscp.Event{}, fmt.Errorf("%w: %d bytes, the frame needs %d", ErrBinaryShort, len(p), binMinLen+n)
	}
	head := binary.BigEndian.Uint16(p[binHead:])
	crcField := binary.BigEndian.Uint16(p[binData+n:])
	if !(head&headNoCRC != 0 && crcField == binCRCMagic) {
		if CRC16CCITTFalse(p[binHead:binMinLen+n]) != 0 {
			return vscp.Event{}, fmt.Errorf("%w (field 0x%04X, computed 0x%04X)",
				ErrBinaryCRC, crcField, CRC16CCITTFalse(p[binHead:binData+n]))
		}
	}

	e := vscp.Event{
		Head:  head,
		Class: binary.BigEndian.Uint16(p[binClass:]),
		Type:  binary.BigEndian.Uint16(p[binType:]),
	}
	copy(e.GUID[:], p[binGUID:binGUID+16])
	if n > 0 {
		e.Data = append([]byte(nil), p[binData:binData+n]...)
	}
	if ft == frameType1 {
		e.SetUnixNano(binary.BigEndian.Uint64(p[binNanos:]))
		return e, nil
	}
	e.Timestamp = binary.BigEndian.Uint32(p[binTimestamp:])
	e.DateTime = vscp.DateTime{
		Year:   binary.BigEndian.Uint16(p[binYear:]),
		Month:  p[binYear+2],
		Day:    p[binYear+3],
		Hour:   p[binYear+4],
		Minute: p[binYear+5],
		Second: p[binYear+6],
	}
	if e.Head&vscp.HeadFrameMask == vscp.HeadFrameUnixNS {
		e.Head &^= vscp.HeadFrameMask
	}
	return e, nil
}
