package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// The idle-memory measurement runs the clients in a child process (this
// test binary again, in TestHelperProcess), so that the server process's
// MemStats hold the server's connections and nothing of the clients'.
const (
	helperEnv     = "VSCP_BENCH_HELPER"
	helperAddrEnv = "VSCP_BENCH_HELPER_ADDR"
	helperKEnv    = "VSCP_BENCH_HELPER_K"
	// heapProfileEnv names a file for a heap profile taken while the idle
	// connections are up (for finding what they hold).
	heapProfileEnv = "VSCP_BENCH_IDLE_HEAPPROFILE"
	helperReady    = "ready"
	helperTimeout  = 2 * time.Minute
)

// TestHelperProcess is the client side of the idle-memory measurement. It
// does nothing unless started by startIdleClients: then it opens K
// authenticated OPEN ws1 connections, says "ready" on stdout and holds them
// until stdin is closed.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "idle" {
		t.Skip("only run as the child process of the idle-memory benchmark")
	}
	k, err := strconv.Atoi(os.Getenv(helperKEnv))
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper: bad K: %v\n", err)
		os.Exit(2)
	}
	if err := RaiseFileLimit(); err != nil {
		fmt.Fprintf(os.Stderr, "helper: RLIMIT_NOFILE: %v\n", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), helperTimeout)
	defer cancel()
	clients, err := DialMany(ctx, os.Getenv(helperAddrEnv), WS1, true, k, dialParallel, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper: dial: %v\n", err)
		os.Exit(3)
	}
	fmt.Println(helperReady)
	_, _ = io.Copy(io.Discard, os.Stdin)
	CloseAll(clients)
	os.Exit(0)
}

// idleClients is a running helper process.
type idleClients struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startIdleClients starts the helper with k connections to addr and waits
// until they are all logged in and OPEN.
func startIdleClients(tb testing.TB, addr string, k int) *idleClients {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=idle", helperAddrEnv+"="+addr, helperKEnv+"="+strconv.Itoa(k))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start helper: %v", err)
	}
	h := &idleClients{cmd: cmd, stdin: stdin}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if sc.Text() == helperReady {
				ok = true
				break
			}
		}
		ready <- ok
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		if !ok {
			h.stop(tb)
			tb.Fatalf("helper process failed before its %d connections were ready", k)
		}
	case <-time.After(helperTimeout):
		_ = cmd.Process.Kill()
		h.stop(tb)
		tb.Fatalf("helper process not ready within %v", helperTimeout)
	}
	return h
}

// stop tells the helper to close its connections and waits for it.
func (h *idleClients) stop(tb testing.TB) {
	tb.Helper()
	_ = h.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Errorf("helper process: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
		tb.Errorf("helper process did not stop")
	}
}

// settledMemStats collects garbage, returns freed memory to the OS and
// reads the statistics.
func settledMemStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// idleMemory is the server's cost of K idle connections.
type idleMemory struct {
	heapStack  float64 // Δ(HeapInuse+StackInuse) / K
	heap       float64 // ΔHeapInuse / K
	stack      float64 // ΔStackInuse / K
	sys        float64 // ΔSys / K
	goroutines float64 // Δgoroutines / K
}

// waitSessions polls until the instance has k authenticated, OPEN ws1
// sessions.
func waitSessions(tb testing.TB, d *driver.Driver, k int) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := d.Stats().Sessions
		if s.Current == k && s.WS1 == k && s.Authenticated == k && s.Open == k {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sessions %+v, want %d authenticated and OPEN", s, k)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// measureIdle opens an instance, measures it, lets the helper connect k
// clients, measures again and returns the difference per connection.
func measureIdle(tb testing.TB, k int, start func()) idleMemory {
	tb.Helper()
	if err := RaiseFileLimit(); err != nil {
		tb.Logf("raising RLIMIT_NOFILE: %v", err)
	}
	d, err := OpenServer()
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer func() { _ = d.Close() }()
	// Warm the paths once (pools, lazily built tables) with one client,
	// so that one-time costs do not land on the per-connection figure.
	warm := startIdleClients(tb, d.Addr().String(), 1)
	waitSessions(tb, d, 1)
	warm.stop(tb)
	waitSessions(tb, d, 0)

	m0 := settledMemStats()
	g0 := runtime.NumGoroutine()
	if start != nil {
		start()
	}
	h := startIdleClients(tb, d.Addr().String(), k)
	defer h.stop(tb)
	waitSessions(tb, d, k)
	m1 := settledMemStats()
	g1 := runtime.NumGoroutine()
	if path := os.Getenv(heapProfileEnv); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(k) }
	return idleMemory{
		heapStack:  per(m0.HeapInuse+m0.StackInuse, m1.HeapInuse+m1.StackInuse),
		heap:       per(m0.HeapInuse, m1.HeapInuse),
		stack:      per(m0.StackInuse, m1.StackInuse),
		sys:        per(m0.Sys, m1.Sys),
		goroutines: float64(g1-g0) / float64(k),
	}
}
