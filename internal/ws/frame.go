package ws

import "encoding/binary"

// Opcodes of the frames the server writes (RFC 6455 §5.2).
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
	finBit  = 0x80
)

// Close codes the server sends (docs/protocols.md, closing).
const (
	closeNormal         = 1000
	closeGoingAway      = 1001
	closePolicyViolated = 1008
	closeTooBig         = 1009
	closeInternal       = 1011
)

// appendFrameHeader appends the header of an unmasked, unfragmented server
// frame with n payload bytes.
func appendFrameHeader(dst []byte, op byte, n int) []byte {
	switch {
	case n < 126:
		return append(dst, finBit|op, byte(n))
	case n <= 0xFFFF:
		return append(dst, finBit|op, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finBit|op, 127)
		return binary.BigEndian.AppendUint64(dst, uint64(n))
	}
}

// headerLen is the header size appendFrameHeader writes for n payload bytes.
func headerLen(n int) int {
	switch {
	case n < 126:
		return 2
	case n <= 0xFFFF:
		return 4
	default:
		return 10
	}
}

// textFrame returns a complete text frame carrying payload. Frames are
// built whole so that one frame can be shared by every recipient and
// several can go out in one write.
func textFrame(payload []byte) []byte {
	f := make([]byte, 0, headerLen(len(payload))+len(payload))
	f = appendFrameHeader(f, opText, len(payload))
	return append(f, payload...)
}

// controlFrame returns a ping, pong or close frame; payload is cut to the
// 125 bytes a control frame may carry.
func controlFrame(op byte, payload []byte) []byte {
	if len(payload) > 125 {
		payload = payload[:125]
	}
	f := make([]byte, 0, 2+len(payload))
	f = appendFrameHeader(f, op, len(payload))
	return append(f, payload...)
}

// closeFrame returns a close frame with a status code and reason.
func closeFrame(code int, reason string) []byte {
	p := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(p, uint16(code))
	p = append(p, reason...)
	return controlFrame(opClose, p)
}

// hint wakes a goroutine waiting on a one-slot channel, without blocking.
func hint(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
