package main

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// maxCredential is the longest "user:password" AUTH accepts
// (the server takes at most 512 bytes, padding included).
const maxCredential = 511

func runClient(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "", "websocket URL, e.g. ws://127.0.0.1:8884/ws1 (required)")
	user := fs.String("user", "", "user name (required)")
	password := fs.String("password", "", "password (default: asked on the terminal without echo, or the first line of stdin)")
	keyHex := fs.String("key", "", "AES key as hex digits (default: the VSCP default key)")
	keyFile := fs.String("key-file", "", "AES key file, read like the driver's key-file")
	encWord := fs.String("encryption", "aes128", "AUTH encryption: aes128, aes192, aes256 or none")
	timeout := fs.Float64("timeout", 5, "seconds to wait for the connection and for each reply")
	listen := fs.Float64("listen", 0, "seconds to keep printing events after the last CMD")
	protocol := fs.String("protocol", "", "ws1 or ws2 (default: from the URL path)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vscpl2drv-websocksrv client --url URL --user U [flags] [CMD...]")
		fmt.Fprintln(fs.Output(), "CMD is a ws1 line without \"C;\" (NOOP, OPEN, \"SF;0,10,6,-;0,0xffff,0xffff,-\") or an event line \"E;head,class,type,...\".")
		fmt.Fprintln(fs.Output(), "Without CMDs, lines are read from stdin (\"quit\" ends). Exit 0 only if login and every reply were positive.")
		fs.PrintDefaults()
	}
	// Flags may also follow the commands (`… NOOP OPEN --listen 2`), so
	// parsing resumes after each command.
	var cmds []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		cmds = append(cmds, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if *rawURL == "" || *user == "" {
		fmt.Fprintln(stderr, "client: --url and --user are required")
		return errUsage
	}
	if *keyHex != "" && *keyFile != "" {
		fmt.Fprintln(stderr, "client: give --key or --key-file, not both")
		return errUsage
	}
	if *timeout <= 0 || *listen < 0 {
		fmt.Fprintln(stderr, "client: --timeout must be positive and --listen not negative")
		return errUsage
	}
	enc, err := auth.ParseEncryption(*encWord)
	if err != nil {
		fmt.Fprintf(stderr, "client: --encryption: %v\n", err)
		return errUsage
	}
	u, proto, err := clientURL(*rawURL, *protocol)
	if err != nil {
		return err
	}
	key, err := clientKey(*keyHex, *keyFile, enc)
	if err != nil {
		return err
	}

	in := bufio.NewReader(stdin)
	pass := *password
	if !isFlagSet(fs, "password") {
		if pass, err = readSecretLine(in, "password"); err != nil {
			return err
		}
	}
	lines := make(chan string, len(cmds))
	if len(cmds) > 0 {
		for _, c := range cmds {
			lines <- c
		}
		close(lines)
	} else {
		lines = make(chan string)
		go readLines(in, lines)
	}

	c := &wsClient{
		proto:   proto,
		timeout: time.Duration(*timeout * float64(time.Second)),
		out:     stdout,
		errOut:  stderr,
	}
	if err := c.dial(u); err != nil {
		return err
	}
	defer c.close()
	if err := c.login(*user, pass, key, enc); err != nil {
		return err
	}
	sent, failed := 0, 0
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok || line == "quit" || line == "exit" {
				done = true
				continue
			}
			sent++
			pos, err := c.command(line)
			if err != nil {
				return err
			}
			if !pos {
				failed++
			}
		case m, ok := <-c.msgs:
			if !ok {
				return c.closedErr()
			}
			c.print(m)
		}
	}
	if err := c.listenFor(time.Duration(*listen * float64(time.Second))); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d commands failed", failed, sent)
	}
	return nil
}

// readLines sends the non-blank, non-comment lines of r to lines and
// closes it at EOF.
func readLines(r *bufio.Reader, lines chan<- string) {
	defer close(lines)
	for {
		line, err := r.ReadString('\n')
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			lines <- t
		}
		if err != nil {
			return
		}
	}
}

// clientURL checks the URL and picks the protocol: --protocol, else the
// last path element (ws2… speaks ws2, anything else ws1). An empty path
// becomes /ws1 or /ws2.
func clientURL(raw, protocol string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("--url: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", "", fmt.Errorf("--url %q: scheme must be ws or wss", raw)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("--url %q: no host", raw)
	}
	proto := strings.ToLower(protocol)
	switch proto {
	case "ws1", "ws2":
	case "":
		p := strings.ToLower(strings.TrimRight(u.Path, "/"))
		proto = "ws1"
		if strings.HasPrefix(p[strings.LastIndexByte(p, '/')+1:], "ws2") {
			proto = "ws2"
		}
	default:
		return "", "", fmt.Errorf("--protocol %q: want ws1 or ws2", protocol)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/" + proto
	}
	return u.String(), proto, nil
}

// clientKey returns the AUTH key: --key, --key-file (read as the driver
// reads it) or the VSCP default key, cut to the length enc uses.
func clientKey(keyHex, keyFile string, enc auth.Encryption) ([]byte, error) {
	n := enc.KeyLen()
	switch {
	case n == 0:
		return nil, nil
	case keyFile != "":
		key, _, err := auth.LoadKeyFile(keyFile, enc)
		return key, err
	case keyHex != "":
		k, err := hex.DecodeString(strings.TrimSpace(keyHex))
		if err != nil {
			return nil, errors.New("--key: not hex digits")
		}
		if len(k) < n {
			return nil, fmt.Errorf("--key: %d bytes; %s needs at least %d", len(k), enc, n)
		}
		return k[:n], nil
	}
	return auth.DefaultKey(enc), nil
}

// authCrypto encrypts "user:password" for AUTH (docs/protocols.md, AUTH):
// zero padded to whole AES blocks with at least one NUL, AES-CBC with the
// SID as IV, upper-case hex. With no key (encryption none) it is the hex of
// the plain credential.
func authCrypto(user, password string, key, iv []byte) (string, error) {
	cred := []byte(user + ":" + password)
	if len(cred) > maxCredential {
		return "", fmt.Errorf("user:password is %d bytes; at most %d", len(cred), maxCredential)
	}
	if key == nil {
		return strings.ToUpper(hex.EncodeToString(cred)), nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	if len(iv) != aes.BlockSize {
		return "", fmt.Errorf("SID is %d bytes, want %d", len(iv), aes.BlockSize)
	}
	buf := make([]byte, (len(cred)/aes.BlockSize+1)*aes.BlockSize)
	copy(buf, cred)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return strings.ToUpper(hex.EncodeToString(buf)), nil
}

// wsClient is one connection. A goroutine feeds every received frame to
// msgs; only the caller's goroutine writes to out.
type wsClient struct {
	proto   string
	timeout time.Duration
	out     io.Writer
	errOut  io.Writer
	conn    *websocket.Conn
	msgs    chan string
	readErr error // set before msgs is closed
}

func (c *wsClient) dial(u string) error {
	d := websocket.Dialer{HandshakeTimeout: c.timeout}
	conn, resp, err := d.Dial(u, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("connect %s: %v (HTTP %s)", u, err, resp.Status)
		}
		return fmt.Errorf("connect %s: %w", u, err)
	}
	c.conn = conn
	c.msgs = make(chan string, 64)
	go func() {
		defer close(c.msgs)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				c.readErr = err
				return
			}
			c.msgs <- string(data)
		}
	}()
	return nil
}

func (c *wsClient) close() {
	deadline := time.Now().Add(time.Second)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
	// Wait briefly for the server's close frame, then drop the connection.
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for open := true; open; {
		select {
		case _, open = <-c.msgs:
		case <-timer.C:
			open = false
		}
	}
	c.conn.Close()
	for range c.msgs {
	}
}

func (c *wsClient) closedErr() error {
	var ce *websocket.CloseError
	if errors.As(c.readErr, &ce) {
		return fmt.Errorf("server closed the connection: %d %s", ce.Code, ce.Text)
	}
	return fmt.Errorf("connection lost: %v", c.readErr)
}

func (c *wsClient) print(m string) { fmt.Fprintln(c.out, m) }

// kind classifies a frame: '+' or '-' for replies, 'E' for events and
// greetings' peers, 0 for anything else.
func (c *wsClient) kind(m string) byte {
	if c.proto == "ws1" {
		switch {
		case strings.HasPrefix(m, "+;"):
			return '+'
		case strings.HasPrefix(m, "-;"):
			return '-'
		case strings.HasPrefix(m, "E;"):
			return 'E'
		}
		return 0
	}
	var f struct {
		Type string `json:"type"`
	}
	if json.Unmarshal([]byte(m), &f) != nil {
		return 0
	}
	switch f.Type {
	case "+", "-":
		return f.Type[0]
	case "EVENT", "E":
		return 'E'
	}
	return 0
}

// reply prints frames until the next reply and returns it.
func (c *wsClient) reply(what string) (string, error) {
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return "", c.closedErr()
			}
			c.print(m)
			if k := c.kind(m); k == '+' || k == '-' {
				return m, nil
			}
		case <-timer.C:
			return "", fmt.Errorf("no reply to %s within %v", what, c.timeout)
		}
	}
}

func (c *wsClient) send(text string) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.conn.WriteMessage(websocket.TextMessage, []byte(text))
}

// login reads the greeting and performs AUTH.
func (c *wsClient) login(user, password string, key []byte, enc auth.Encryption) error {
	var greeting string
	select {
	case m, ok := <-c.msgs:
		if !ok {
			return c.closedErr()
		}
		c.print(m)
		greeting = m
	case <-time.After(c.timeout):
		return fmt.Errorf("no greeting within %v", c.timeout)
	}
	sid := ""
	if c.proto == "ws1" {
		if f := strings.Split(greeting, ";"); len(f) == 3 && f[0] == "+" && f[1] == "AUTH0" {
			sid = f[2]
		}
	} else {
		var g struct {
			Type string   `json:"type"`
			Args []string `json:"args"`
		}
		if json.Unmarshal([]byte(greeting), &g) == nil && g.Type == "+" && len(g.Args) == 2 && g.Args[0] == "AUTH0" {
			sid = g.Args[1]
		}
	}
	iv, err := hex.DecodeString(sid)
	if err != nil || len(iv) != aes.BlockSize {
		return fmt.Errorf("unexpected greeting %q (is this a %s endpoint?)", greeting, c.proto)
	}
	if enc == auth.EncNone {
		key = nil
	}
	crypto, err := authCrypto(user, password, key, iv)
	if err != nil {
		return err
	}
	var msg string
	if c.proto == "ws1" {
		msg = "C;AUTH;" + sid + ";" + crypto
	} else {
		msg = `{"type":"CMD","command":"AUTH","args":{"iv":"` + sid + `","crypto":"` + crypto + `"}}`
	}
	if err := c.send(msg); err != nil {
		return fmt.Errorf("sending AUTH: %w", err)
	}
	r, err := c.reply("AUTH")
	if err != nil {
		return err
	}
	if c.kind(r) != '+' {
		return fmt.Errorf("login as %q failed: %s", user, r)
	}
	return nil
}

// command sends one CMD line and waits for its reply; it reports whether
// the reply was positive. A line that cannot be translated is reported on
// errOut and counts as a failure.
func (c *wsClient) command(line string) (bool, error) {
	msg, err := c.translate(line)
	if err != nil {
		fmt.Fprintf(c.errOut, "client: %q: %v\n", line, err)
		return false, nil
	}
	if err := c.send(msg); err != nil {
		return false, fmt.Errorf("sending %q: %w", line, err)
	}
	r, err := c.reply(fmt.Sprintf("%q", line))
	if err != nil {
		return false, err
	}
	return c.kind(r) == '+', nil
}

// translate turns a CMD line into the frame of the protocol.
func (c *wsClient) translate(line string) (string, error) {
	line = strings.TrimSpace(line)
	isEvent := len(line) >= 2 && (line[0] == 'E' || line[0] == 'e') && line[1] == ';'
	if c.proto == "ws1" {
		if isEvent {
			return "E;" + line[2:], nil
		}
		if len(line) >= 2 && (line[0] == 'C' || line[0] == 'c') && line[1] == ';' {
			line = line[2:]
		}
		return "C;" + line, nil
	}
	if strings.HasPrefix(line, "{") {
		return line, nil // a ws2 object as is
	}
	if isEvent {
		ev, err := vscp.ParseEventString(line[2:], time.Now())
		if err != nil {
			return "", err
		}
		b := append([]byte(`{"type":"E","event":`), vscp.AppendEventJSON(nil, &ev, vscp.JSONShort)...)
		return string(append(b, '}')), nil
	}
	if len(line) >= 2 && (line[0] == 'C' || line[0] == 'c') && line[1] == ';' {
		line = line[2:]
	}
	fields := strings.Split(line, ";")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	name, args := fields[0], fields[1:]
	var argv any
	switch strings.ToUpper(name) {
	case "SF", "SETFILTER":
		for len(args) < 2 {
			args = append(args, "")
		}
		f, err := vscp.ParseFilter(args[0], args[1])
		if err != nil {
			return "", err
		}
		argv = map[string]any{
			"filter_priority": f.FilterPriority, "filter_class": f.FilterClass,
			"filter_type": f.FilterType, "filter_guid": f.FilterGUID.String(),
			"mask_priority": f.MaskPriority, "mask_class": f.MaskClass,
			"mask_type": f.MaskType, "mask_guid": f.MaskGUID.String(),
		}
	case "AUTH":
		if len(args) >= 2 {
			argv = map[string]string{"iv": args[0], "crypto": args[1]}
		}
	default:
		if len(args) > 0 {
			argv = args
		}
	}
	b, err := json.Marshal(map[string]any{"type": "CMD", "command": name, "args": argv})
	return string(b), err
}

// listenFor prints events for d.
func (c *wsClient) listenFor(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return c.closedErr()
			}
			c.print(m)
		case <-timer.C:
			return nil
		}
	}
}
