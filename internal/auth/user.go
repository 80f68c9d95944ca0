package auth

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// User is one loaded user. Values returned by Users are shared and must be
// treated as read-only.
type User struct {
	// ID is the userid of the AUTH1 reply: the 0-based position among all
	// loaded users, file first, then inline users.
	ID int
	// Name is the login name: trimmed, non-empty, case-sensitive, without
	// ':' or ';'.
	Name string
	// FullName and Note are free text for the AUTH1 reply.
	FullName, Note string
	// Rights is the rights mask (RightsUser when the key is absent).
	Rights Rights
	// Remotes restricts the peers the user may log in from.
	Remotes Remotes
	// Events restricts the class:type pairs the user may send.
	Events AllowedEvents
	// Filter is installed as the session filter at successful AUTH.
	Filter vscp.Filter
	// MaxPriority is the max-priority clamp 0–7, or -1 for none.
	MaxPriority int

	password storedPassword
}

// ClampPriority applies the user's max-priority to an event head: a priority
// (head>>5)&7 numerically lower than MaxPriority is raised to it, other head
// bits unchanged. It reports whether the head changed, so the caller can log
// and count the clamp. Events are never rejected for their priority.
func (u *User) ClampPriority(head uint16) (uint16, bool) {
	if u.MaxPriority < 0 || u.MaxPriority > 7 {
		return head, false
	}
	m := uint16(u.MaxPriority)
	if (head>>5)&7 >= m {
		return head, false
	}
	return head&^0xE0 | m<<5, true
}

// ClassRight returns the right needed to send an event of this class: the
// control-class rights for classes 0/512, 1024 and 1028, else 0.
func ClassRight(class uint16) Rights {
	switch class {
	case 0, 512:
		return RightL1Ctrl
	case 1024:
		return RightL2Ctrl
	case 1028:
		return RightHLO
	}
	return 0
}

// CanSendClass reports whether the user may send an event of this class and
// type: the class rights, then the allowed-events list. The send-events right
// is deliberately not included: it is checked before the event is parsed and
// has its own outcome in the protocols.
func (u *User) CanSendClass(class, typ uint16) bool {
	if !u.Rights.Has(ClassRight(class)) {
		return false
	}
	return u.Events.Allows(class, typ)
}

// AUTH1Fields returns the ten fields that follow "+;AUTH1;" in the ws1 reply
// (docs/protocols.md, AUTH outcomes), in order: userid, name, "********",
// full name (";", CR and LF replaced by spaces), filter, mask, rights,
// remotes, allowed events, base64 note. The caller joins them with ";".
func (u *User) AUTH1Fields() []string {
	fullName := strings.Map(func(r rune) rune {
		if r == ';' || r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, u.FullName)
	note := ""
	if u.Note != "" {
		note = base64.StdEncoding.EncodeToString([]byte(u.Note))
	}
	return []string{
		strconv.Itoa(u.ID),
		u.Name,
		"********",
		fullName,
		u.Filter.FilterText(),
		u.Filter.MaskText(),
		u.Rights.String(),
		u.Remotes.String(),
		u.Events.String(),
		note,
	}
}
